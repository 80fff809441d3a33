package org.switchboard.mailets.lists;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;

import reactor.core.publisher.Mono;

/**
 * The mailboxes a list owns in the message store, in the account named by the list's address: {@code Digest} (posts
 * waiting for the next digest) and {@code Archive}. The message store is the server's crash-safe store for mail (a
 * message appended is on disk before the append returns), so what is kept there survives a crash and a restart, and
 * it grows past one machine with the mailboxes.
 */
final class ListMailboxes {
    static final String DIGEST = "Digest";
    static final String ARCHIVE = ListArchive.MAILBOX;

    /** A stored message: its UID, the date it was stored, its bytes (or its header's). */
    record Stored(MessageUid uid, Date stored, byte[] content) {
    }

    private final MailboxManager mailboxManager;

    ListMailboxes(MailboxManager mailboxManager) {
        this.mailboxManager = mailboxManager;
    }

    /**
     * Appends the message, stored at that date, to the list's mailbox of that name (created at first use); returns
     * the mailbox's message count.
     */
    long append(DistributionList list, String mailbox, MimeMessage message, Date stored) throws MessagingException {
        MailboxSession session = session(list);
        try {
            MessageManager messages = mailbox(session, mailbox, true);
            messages.appendMessage(MessageManager.AppendCommand.builder().withInternalDate(stored).notRecent()
                .build(bytes(message)), session);
            return messages.getMessageCount(session);
        } catch (MailboxException e) {
            throw failure("keep a message in", list, mailbox, e);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /**
     * Every message of the list's mailbox of that name, in UID (arrival) order, whole or only its header; none when
     * the mailbox does not exist.
     */
    List<Stored> read(DistributionList list, String mailbox, boolean headerOnly) throws MessagingException {
        MailboxSession session = session(list);
        try {
            if (!exists(session, mailbox)) {
                return List.of();
            }
            List<Stored> stored = new ArrayList<>();
            Iterator<MessageResult> results = mailbox(session, mailbox, false)
                .getMessages(MessageRange.all(), headerOnly ? FetchGroup.HEADERS : FetchGroup.FULL_CONTENT, session);
            while (results.hasNext()) {
                MessageResult result = results.next();
                try (InputStream content = headerOnly ? result.getHeaders().getInputStream()
                    : result.getFullContent().getInputStream()) {
                    stored.add(new Stored(result.getUid(), result.getInternalDate(), content.readAllBytes()));
                }
            }
            return stored;
        } catch (MailboxException | IOException e) {
            throw failure("read", list, mailbox, e);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /** Removes these messages from the list's mailbox of that name. */
    void delete(DistributionList list, String mailbox, List<MessageUid> uids) throws MessagingException {
        MailboxSession session = session(list);
        try {
            mailbox(session, mailbox, false).delete(uids, session);
        } catch (MailboxException e) {
            throw failure("remove messages from", list, mailbox, e);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /** Gives the list's mailbox of that name this access list, unless it has it already. */
    void share(DistributionList list, String mailbox, MailboxACL acl) throws MessagingException {
        MailboxSession session = session(list);
        try {
            MailboxPath path = MailboxPath.forUser(session.getUser(), mailbox);
            if (!acl.equals(mailboxManager.listRights(path, session))) {
                mailboxManager.setRights(path, acl, session);
            }
        } catch (MailboxException e) {
            throw failure("share", list, mailbox, e);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /** {@link #share}, for a mailbox that exists; false (and nothing done) when it does not. */
    boolean shareIfExists(DistributionList list, String mailbox, MailboxACL acl) throws MessagingException {
        MailboxSession session = session(list);
        try {
            if (!exists(session, mailbox)) {
                return false;
            }
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
        share(list, mailbox, acl);
        return true;
    }

    private static MessagingException failure(String what, DistributionList list, String mailbox, Exception e) {
        return new MessagingException("cannot " + what + " the mailbox " + mailbox + " of the list "
            + list.address().asString() + ": " + e.getMessage(), e);
    }

    private MailboxSession session(DistributionList list) {
        return mailboxManager.createSystemSession(Username.of(list.address().asString()));
    }

    private boolean exists(MailboxSession session, String mailbox) {
        return Boolean.TRUE.equals(Mono.from(mailboxManager.mailboxExists(MailboxPath.forUser(session.getUser(),
            mailbox), session)).block());
    }

    private MessageManager mailbox(MailboxSession session, String mailbox, boolean create) throws MailboxException {
        MailboxPath path = MailboxPath.forUser(session.getUser(), mailbox);
        if (create && !exists(session, mailbox)) {
            try {
                mailboxManager.createMailbox(path, session);
            } catch (MailboxExistsException e) {
                // made meanwhile by another thread: that one is as good
            }
        }
        return mailboxManager.getMailbox(path, session);
    }

    private static byte[] bytes(MimeMessage message) throws MessagingException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new MessagingException("cannot write the message", e);
        }
    }
}
