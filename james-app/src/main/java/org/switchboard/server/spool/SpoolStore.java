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

    private final RocksDbMailQueueFactory queues;

    @Inject
    SpoolStore(FileSystem fileSystem, MailQueueItemDecoratorFactory decorators) throws IOException {
        File directory = fileSystem.getFile(STORE_LOCATION);
        queues = RocksDbMailQueueFactory.open(directory.toPath(), decorators, Clock.systemUTC(),
            RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET, Durability.synced("Spool"));
        LOGGER.info("Spool opened in {}", directory);
    }

    RocksDbMailQueueFactory queues() {
        return queues;
    }

    @PreDestroy
    public void close() {
        queues.close();
    }
}
