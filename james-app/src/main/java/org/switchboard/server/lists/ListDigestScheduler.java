package org.switchboard.server.lists;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * Sends the lists' digests on their owners' schedules: every {@value #CHECK_MINUTES} minute(s), each list of the
 * directory whose schedule came since its oldest kept post gets its digest ({@link ListDigests#sendIfDue}). A digest
 * whose time passed while the server was down goes out at the first check after the start.
 */
@Singleton
public class ListDigestScheduler implements Startable {
    static final long CHECK_MINUTES = 1;
    private static final Logger LOGGER = LoggerFactory.getLogger(ListDigestScheduler.class);

    private final ListDirectory directory;
    private final ListDigests digests;
    private ScheduledExecutorService executor;

    @Inject
    public ListDigestScheduler(ListDirectory directory, ListDigests digests) {
        this.directory = directory;
        this.digests = digests;
    }

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "list-digests");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::sendDueDigests, CHECK_MINUTES, CHECK_MINUTES, TimeUnit.MINUTES);
        LOGGER.info("Lists: digests checked every {}", Duration.ofMinutes(CHECK_MINUTES));
    }

    /** Stops the checks; a check under way finishes first. */
    @PreDestroy
    public synchronized void stop() throws InterruptedException {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
            LOGGER.warn("Lists: a digest check did not end within a minute");
        }
        executor = null;
    }

    void sendDueDigests() {
        try {
            for (DistributionList list : directory.search("")) {
                try {
                    digests.sendIfDue(list);
                } catch (MessagingException | RuntimeException e) {
                    // the posts stay kept: the next check tries again
                    LOGGER.error("Lists: the digest of {} could not be sent; next try in {} minute(s)",
                        list.address().asString(), CHECK_MINUTES, e);
                }
            }
        } catch (DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: digests not checked, next try in {} minute(s): {}", CHECK_MINUTES, e.getMessage());
        }
    }
}
