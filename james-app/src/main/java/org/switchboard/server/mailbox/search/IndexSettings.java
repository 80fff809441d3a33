package org.switchboard.server.mailbox.search;

import java.time.Duration;

/**
 * How the search index trades freshness on disk for CPU: commit at most every {@code commitInterval} or every
 * {@code commitEvery} changes; a search waits at most {@code searchWait} for the index to catch up, then reads the
 * store instead; after an unclean stop the background comparison with the store starts {@code verifyDelay} after start.
 * With {@code indexOnDelivery} every mailbox is indexed as mail arrives; without, only mailboxes searched once
 * ({@link SearchIndexConfiguration}).
 */
record IndexSettings(Duration commitInterval, int commitEvery, Duration searchWait, Duration verifyDelay,
                     boolean indexOnDelivery) {
    static final IndexSettings DEFAULT = new IndexSettings(Duration.ofSeconds(2), 20_000, Duration.ofSeconds(20),
        Duration.ofSeconds(30), true);

    IndexSettings withIndexOnDelivery(boolean onDelivery) {
        return new IndexSettings(commitInterval, commitEvery, searchWait, verifyDelay, onDelivery);
    }

    IndexSettings {
        if (commitInterval.isNegative() || commitInterval.isZero() || commitEvery < 1 || searchWait.isNegative()
            || verifyDelay.isNegative()) {
            throw new IllegalArgumentException("invalid search index settings: " + commitInterval + ", " + commitEvery
                + ", " + searchWait + ", " + verifyDelay);
        }
    }
}
