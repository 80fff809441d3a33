package org.switchboard.server.smtpd;

import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.smtpserver.fastfail.ValidRcptHandler;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.LdapListDirectory;

/**
 * James' recipient check (users, recipient rewrite table) that also accepts every address the directory routes:
 * entries of any kind (people, lists, shared stores) and their aliases, the command addresses of lists
 * ({@code staff-request@} for the list {@code staff@}, see {@link DistributionList#commandOf}), and {@code postmaster} at every local domain
 * (RFC 5321, 4.5.1; {@code PostmasterAlias} in the pipeline delivers it to the server's postmaster). Unknown
 * recipients of local domains get 550; a directory that cannot answer gives 451 (James' deny-soft), so the sender
 * retries.
 */
public class DirectoryValidRcptHandler extends ValidRcptHandler {
    private static final String POSTMASTER = "postmaster";

    private final DirectoryRouting directory;

    @Inject
    public DirectoryValidRcptHandler(UsersRepository users, RecipientRewriteTable recipientRewriteTable,
                                     DomainList domains, DirectoryRouting directory) {
        super(users, recipientRewriteTable, domains);
        this.directory = directory;
    }

    @Override
    protected boolean isValidRecipient(SMTPSession session, MailAddress recipient)
        throws UsersRepositoryException, RecipientRewriteTableException {
        if (recipient.getLocalPart().equalsIgnoreCase(POSTMASTER)) {
            return true;
        }
        try {
            return directory.lookup(recipient).isPresent() || isListCommandAddress(recipient)
                || super.isValidRecipient(session, recipient);
        } catch (DirectoryUnavailableException e) {
            throw new UsersRepositoryException("Directory unavailable while checking " + recipient.asString(), e);
        }
    }

    /** {@code staff-request@} and the other command addresses of a distribution list {@code staff@}. */
    private boolean isListCommandAddress(MailAddress recipient) throws DirectoryUnavailableException {
        Optional<DistributionList.Command> command = DistributionList.commandOf(recipient);
        return command.isPresent() && directory.lookup(command.get().list())
            .map(entry -> entry.hasObjectClass(LdapListDirectory.LIST_CLASS)).orElse(false);
    }
}
