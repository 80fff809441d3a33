package org.switchboard.server.mailbox;

import java.io.File;
import java.time.Clock;
import java.time.Duration;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.server.Durability;

/** The RocksDB mailbox store under {@code var/store/mailbox}, opened with the server and closed when it stops. */
public class OpenMailboxStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(OpenMailboxStore.class);
    public static final String STORE_LOCATION = "file://var/store/mailbox";
    /** Longer than any spool retry of a delivery: a key older than that can no longer meet its retry. */
    static final Duration DELIVERY_KEY_RETENTION = Duration.ofDays(30);

    private final RocksDbMailboxStore store;

    @Inject
    OpenMailboxStore(FileSystem fileSystem, Clock clock) throws Exception {
        File directory = fileSystem.getFile(STORE_LOCATION);
        store = RocksDbMailboxStore.open(directory.toPath(), Durability.synced("Mailbox store"));
        store.forgetDeliveriesRecordedBefore(clock.instant().minus(DELIVERY_KEY_RETENTION));
        LOGGER.info("Mailbox store opened in {}", directory);
    }

    public RocksDbMailboxStore store() {
        return store;
    }

    @PreDestroy
    public void close() {
        store.close();
        LOGGER.info("Mailbox store closed");
    }
}
