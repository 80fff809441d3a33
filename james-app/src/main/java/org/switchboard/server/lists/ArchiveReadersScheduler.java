package org.switchboard.server.lists;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.ListArchive;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * Keeps the readers of the lists' archives ({@link ListArchive#updateReaders}) in step with the members: at every
 * check ({@link ListSchedule#PERIOD}), each archived list's mailbox gets the access list of the list as the directory
 * has it, so a member who left a closed list loses the archive within a period, and one who joined gains it, without
 * waiting for the next post. Only a changed access list is written.
 */
@Singleton
public class ArchiveReadersScheduler extends ListSchedule {
    private static final Logger LOGGER = LoggerFactory.getLogger(ArchiveReadersScheduler.class);

    private final ListDirectory directory;
    private final ListArchive archive;

    @Inject
    public ArchiveReadersScheduler(ListDirectory directory, ListArchive archive) {
        super("list-archive-readers");
        this.directory = directory;
        this.archive = archive;
    }

    @Override
    void check() {
        try {
            for (DistributionList list : directory.search("")) {
                try {
                    archive.updateReaders(list);
                } catch (MessagingException | RuntimeException e) {
                    LOGGER.warn("Lists: readers of the archive of {} not updated, next try in {}: {}",
                        list.address().asString(), PERIOD, e.getMessage());
                }
            }
        } catch (DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: archive readers not checked, next try in {}: {}", PERIOD, e.getMessage());
        }
    }
}
