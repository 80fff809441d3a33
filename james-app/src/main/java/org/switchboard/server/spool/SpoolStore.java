package org.switchboard.server.spool;

import java.io.File;
import java.io.IOException;
import java.time.Clock;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.server.Durability;
import org.switchboard.spool.RocksDbMailQueueFactory;

/**
 * Opens the spool database under {@code var/store/spool} when the server starts and closes it when the server stops
 * (every queued mail stays on disk; mails being processed at that moment are handed out again at the next start).
 */
public class SpoolStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(SpoolStore.class);
    static final String STORE_LOCATION = "file://var/store/spool";
    /** Where versions before the RocksDB spool kept their queues (an embedded ActiveMQ broker's KahaDB journal). */
    static final String LEGACY_LOCATION = "file://var/store/activemq";

    private final RocksDbMailQueueFactory queues;

    @Inject
    SpoolStore(FileSystem fileSystem, MailQueueItemDecoratorFactory decorators) throws IOException {
        refuseLegacySpool(fileSystem.getFile(LEGACY_LOCATION));
        File directory = fileSystem.getFile(STORE_LOCATION);
        queues = RocksDbMailQueueFactory.open(directory.toPath(), decorators, Clock.systemUTC(),
            RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET, Durability.synced("Spool"));
        LOGGER.info("Spool opened in {}", directory);
    }

    /**
     * Mail may still wait in the queues of an earlier version's ActiveMQ spool, which this version cannot read: rather
     * than start and leave it there unseen, the start stops with what to do.
     */
    static void refuseLegacySpool(File legacy) {
        if (legacy.isDirectory()) {
            throw new IllegalStateException("Found " + legacy + ": the spool of an earlier Switchboard version (ActiveMQ). "
                + "Mail may still wait in it and this version cannot read it. Start the earlier version until its queues "
                + "are empty (curl http://127.0.0.1:8000/mailQueues shows size 0 for each), stop it, then delete "
                + legacy + " and start this version.");
        }
    }

    RocksDbMailQueueFactory queues() {
        return queues;
    }

    @PreDestroy
    public void close() {
        queues.close();
    }
}
