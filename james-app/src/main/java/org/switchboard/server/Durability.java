package org.switchboard.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the server's own stores (mailbox store, spool) sync their writes: always, unless the JVM is started with
 * {@code -Dswitchboard.benchmark.unsynced=true}. That switch exists only for benchmarks that measure the ceiling of
 * the protocol stack without the disk (bench/smtp-ingest --ceiling): acknowledged mail is then lost by a crash.
 */
public final class Durability {
    public static final String UNSYNCED_PROPERTY = "switchboard.benchmark.unsynced";
    private static final Logger LOGGER = LoggerFactory.getLogger(Durability.class);

    private Durability() {
    }

    /** True unless the benchmark switch is on (then logged as an ERROR by each store that reads it). */
    public static boolean synced(String store) {
        if (Boolean.getBoolean(UNSYNCED_PROPERTY)) {
            LOGGER.error("{}: writes are NOT synced (-D{}=true, for benchmarks only): a crash loses acknowledged mail",
                store, UNSYNCED_PROPERTY);
            return false;
        }
        return true;
    }
}
