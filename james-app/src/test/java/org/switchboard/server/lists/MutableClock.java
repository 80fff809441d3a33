package org.switchboard.server.lists;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock in UTC that a test moves forward by hand. */
final class MutableClock extends Clock {
    private Instant now;

    /** Starting 2026-12-07T10:00:00Z. */
    MutableClock() {
        this(Instant.parse("2026-12-07T10:00:00Z"));
    }

    MutableClock(Instant start) {
        this.now = start;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration duration) {
        now = now.plus(duration);
    }
}
