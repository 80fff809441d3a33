package org.switchboard.server.imap;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.imap.api.process.ImapSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * The IMAP names of list archives: {@code #list.<list address>} (e.g. {@code #list.staff@example.com}) is the
 * {@code Archive} mailbox of the list's account ({@link org.switchboard.mailets.lists.ListArchive}).
 *
 * <p>James 3.8.1's IMAP server names only the logged-in user's own mailboxes (its path converter refuses any other
 * namespace), so SELECT and EXAMINE of such a name are run as if the list's account named the mailbox
 * ({@link #seenAs}), with the logged-in user's own mailbox session: James' access lists decide, as for any mailbox
 * of another account, and a user without the right to read the archive gets {@code NO} (no such mailbox).
 */
final class ListArchiveNames {
    static final String PREFIX = "#list.";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListArchiveNames.class);

    private final ListDirectory lists;

    @Inject
    ListArchiveNames(ListDirectory lists) {
        this.lists = lists;
    }

    /** The account of the list whose archive the name is; empty for any other name. */
    Optional<Username> owner(String mailboxName) {
        if (mailboxName == null || !mailboxName.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return lists.find(new MailAddress(mailboxName.substring(PREFIX.length())))
                .map(list -> Username.of(list.address().asString()));
        } catch (AddressException | DirectoryUnavailableException e) {
            LOGGER.info("IMAP: '{}' taken as no list archive: {}", mailboxName, e.getMessage());
            return Optional.empty();
        }
    }

    /** The session, but naming mailboxes as the owner's account does; everything else is the session's own. */
    static ImapSession seenAs(ImapSession session, Username owner) {
        return (ImapSession) Proxy.newProxyInstance(ImapSession.class.getClassLoader(),
            new Class<?>[] {ImapSession.class}, (proxy, method, arguments) -> {
                if (method.getName().equals("getUserName") && method.getParameterCount() == 0) {
                    return owner;
                }
                try {
                    return method.invoke(session, arguments);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
