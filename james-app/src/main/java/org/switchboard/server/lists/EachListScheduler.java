package org.switchboard.server.lists;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.ListArchive;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * What the Distribution List Manager keeps up for each list, at every check ({@link ListSchedule#PERIOD}) and from
 * one read of the lists in the directory:
 * <ul>
 *   <li>digests on their owners' schedules: a list whose schedule came since its oldest kept post gets its digest
 *   ({@link ListDigests#sendIfDue}); one whose time passed while the server was down goes out at the first check after
 *   the start;</li>
 *   <li>the readers of its archive ({@link ListArchive#updateReaders}): an archived list's mailbox gets the access list
 *   of the list as the directory has it, so a member who left a closed list loses the archive within a period, and one
 *   who joined gains it, without waiting for the next post. Only a changed access list is written.</li>
 * </ul>
 */
@Singleton
public class EachListScheduler extends ListSchedule {
    private static final Logger LOGGER = LoggerFactory.getLogger(EachListScheduler.class);

    private final ListDirectory directory;
    private final ListDigests digests;
    private final ListArchive archive;

    @Inject
    public EachListScheduler(ListDirectory directory, ListDigests digests, ListArchive archive) {
        super("list-checks");
        this.directory = directory;
        this.digests = digests;
        this.archive = archive;
    }

    @Override
    void check() {
        try {
            for (DistributionList list : directory.search("")) {
                sendDigestIfDue(list);
                updateArchiveReaders(list);
            }
        } catch (DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: digests and archive readers not checked, next try in {}: {}", PERIOD, e.getMessage());
        }
    }

    private void sendDigestIfDue(DistributionList list) {
        try {
            digests.sendIfDue(list);
        } catch (MessagingException | RuntimeException e) {
            // the posts stay kept: the next check tries again
            LOGGER.error("Lists: the digest of {} could not be sent; next try in {}", list.address().asString(), PERIOD, e);
        }
    }

    private void updateArchiveReaders(DistributionList list) {
        try {
            archive.updateReaders(list);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("Lists: readers of the archive of {} not updated, next try in {}: {}",
                list.address().asString(), PERIOD, e.getMessage());
        }
    }
}
