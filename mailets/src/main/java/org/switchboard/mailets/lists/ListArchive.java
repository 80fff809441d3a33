package org.switchboard.mailets.lists;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.model.MailboxACL;

/**
 * List archives (spec: Distribution List Manager, archives): when a list has {@code ieListArchive: TRUE}, each post
 * it sends is kept, whole (From, To, Date, Subject, body, every header field), in the list's {@code Archive} mailbox
 * of the message store ({@link ListMailboxes}), and listed by date, by thread or by author ({@link ArchiveOrder}):
 * for the administrator through {@code james-cli ListArchive}, for readers by mail ({@code archive} to the list's
 * {@code -request} address, what the {@code List-Archive} header field of posts points to) and over IMAP (the
 * mailbox's access list, {@link #readers}): anyone for a list open to posts from anyone, members and owners only
 * otherwise.
 */
@Singleton
public class ListArchive {
    public static final String COMMAND = "archive";
    /** The name of the archive's mailbox, in the account named by the list's address. */
    public static final String MAILBOX = "Archive";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
        .withZone(ZoneId.systemDefault());

    private final ListMailboxes mailboxes;

    @Inject
    public ListArchive(MailboxManager mailboxManager) {
        this.mailboxes = new ListMailboxes(mailboxManager);
    }

    /** The {@code List-Archive} value (RFC 2369): the mail command that answers with the archive's listing. */
    static String url(DistributionList list) {
        return "<mailto:" + list.commandAddress(DistributionList.REQUEST).asString() + "?subject=" + COMMAND + ">";
    }

    /** Keeps the post, as it is sent to the members, and lets the list's readers read the archive over IMAP. */
    public void archive(DistributionList list, MimeMessage post) throws MessagingException {
        mailboxes.append(list, ListMailboxes.ARCHIVE, post, new Date());
        mailboxes.share(list, ListMailboxes.ARCHIVE, readers(list));
    }

    /**
     * Gives the list's archive, when there is one, the access list of the list as the directory has it now: members
     * who joined or left since the last post, by any way (mail, CLI, plain LDAP), gain or lose it.
     */
    public void updateReaders(DistributionList list) throws MessagingException {
        if (list.archive()) {
            mailboxes.shareIfExists(list, ListMailboxes.ARCHIVE, readers(list));
        }
    }

    /** Whether that address may read the list's archive: anyone for an OPEN list, else its members and owners. */
    static boolean readable(DistributionList list, MailAddress reader) {
        return list.posting() == PostingPolicy.OPEN || list.isMember(reader) || list.isOwner(reader);
    }

    /**
     * The archive's access list, the IMAP face of {@link #readable}: lookup and read for every user of the server
     * for an OPEN list, else for each member and owner (as the directory has them when a post is archived, and at each
     * check of {@code EachListScheduler}). And
     * expunge: James 3.8.1 never answers an IMAP CLOSE without it; it removes nothing, since only messages flagged
     * deleted go, and readers may not flag them.
     */
    static MailboxACL readers(DistributionList list) {
        MailboxACL.Rfc4314Rights read = new MailboxACL.Rfc4314Rights(MailboxACL.Right.Lookup, MailboxACL.Right.Read,
            MailboxACL.Right.PerformExpunge);
        if (list.posting() == PostingPolicy.OPEN) {
            return new MailboxACL(Map.of(MailboxACL.AUTHENTICATED_KEY, read));
        }
        Map<MailboxACL.EntryKey, MailboxACL.Rfc4314Rights> entries = new HashMap<>();
        Stream.concat(list.members().keySet().stream(), list.owners().stream()).forEach(reader ->
            entries.put(MailboxACL.EntryKey.createUserEntryKey(Username.of(reader.asString())), read));
        return new MailboxACL(entries);
    }

    /** One line per archived post in that order: date, author, subject (indented by depth in a thread), Message-ID. */
    public List<String> listing(DistributionList list, ArchiveOrder order) throws MessagingException {
        List<ArchivedMessage> archived = new ArrayList<>();
        for (ListMailboxes.Stored stored : mailboxes.read(list, ListMailboxes.ARCHIVE, true)) {
            archived.add(ArchivedMessage.of(stored.content(), stored.stored()));
        }
        return order.sort(archived).stream().map(line -> DATE.format(line.message().date()) + "  "
            + line.message().from() + "  " + "  ".repeat(line.depth()) + line.message().subject() + "  "
            + line.message().messageId()).toList();
    }
}
