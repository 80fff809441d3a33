package org.switchboard.server.lists;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * Sends the lists' digests on their owners' schedules: at every check ({@link ListSchedule#PERIOD}), each list of the
 * directory whose schedule came since its oldest kept post gets its digest ({@link ListDigests#sendIfDue}). A digest
 * whose time passed while the server was down goes out at the first check after the start.
 */
@Singleton
public class ListDigestScheduler extends ListSchedule {
    private static final Logger LOGGER = LoggerFactory.getLogger(ListDigestScheduler.class);

    private final ListDirectory directory;
    private final ListDigests digests;

    @Inject
    public ListDigestScheduler(ListDirectory directory, ListDigests digests) {
        super("list-digests");
        this.directory = directory;
        this.digests = digests;
    }

    @Override
    void check() {
        try {
            for (DistributionList list : directory.search("")) {
                try {
                    digests.sendIfDue(list);
                } catch (MessagingException | RuntimeException e) {
                    // the posts stay kept: the next check tries again
                    LOGGER.error("Lists: the digest of {} could not be sent; next try in {}",
                        list.address().asString(), PERIOD, e);
                }
            }
        } catch (DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: digests not checked, next try in {}: {}", PERIOD, e.getMessage());
        }
    }
}
