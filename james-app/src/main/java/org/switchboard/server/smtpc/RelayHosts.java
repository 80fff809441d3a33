package org.switchboard.server.smtpc;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default mail relay host and its secondary. All relayed mail goes to the primary; once a connection to it fails,
 * to the secondary, and the primary is checked again every {@code checkInterval} (by the delivery service's
 * {@link #primaryToCheck} probe): when it answers, mail goes back to it.
 */
class RelayHosts {
    private static final Logger LOGGER = LoggerFactory.getLogger(RelayHosts.class);

    private final Hop primary;
    private final Optional<Hop> secondary;
    private final Duration checkInterval;
    private final Clock clock;
    private boolean primaryDown;
    private long nextCheck;

    RelayHosts(Hop primary, Optional<Hop> secondary, Duration checkInterval, Clock clock) {
        this.primary = primary;
        this.secondary = secondary;
        this.checkInterval = checkInterval;
        this.clock = clock;
    }

    /** The relays to try, in order. */
    synchronized List<Hop> hops() {
        if (primaryDown && secondary.isPresent()) {
            return List.of(secondary.get(), primary);
        }
        return secondary.map(other -> List.of(primary, other)).orElse(List.of(primary));
    }

    /** A connection to {@code hop} could not be made or was refused. */
    synchronized void failed(Hop hop, String reason) {
        if (hop.equals(primary) && !primaryDown && secondary.isPresent()) {
            primaryDown = true;
            nextCheck = clock.millis() + checkInterval.toMillis();
            LOGGER.warn("SMTPC: primary relay {} failed ({}); using the secondary relay {}, primary checked again every {}",
                primary, reason, secondary.get(), checkInterval);
        }
    }

    /** A session with {@code hop} was opened. */
    synchronized void connected(Hop hop) {
        if (hop.equals(primary) && primaryDown) {
            primaryDown = false;
            LOGGER.info("SMTPC: primary relay {} answers again; relayed mail goes to it", primary);
        }
    }

    /** The primary, when it is down and due to be checked again (the next check is then scheduled). */
    synchronized Optional<Hop> primaryToCheck() {
        if (!primaryDown || clock.millis() < nextCheck) {
            return Optional.empty();
        }
        nextCheck = clock.millis() + checkInterval.toMillis();
        return Optional.of(primary);
    }

    synchronized boolean usingSecondary() {
        return primaryDown;
    }
}
