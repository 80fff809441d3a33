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
 * {@link #primaryToCheck} probe): when it answers, mail goes back to it. A relay that holds our mail until we ask
 * (dial-up style) is sent {@code ETRN <name>} for each of {@link #etrnNames} on every connection, and at least every
 * {@code etrnEvery} ({@link #etrnPollDue}).
 */
class RelayHosts {
    private static final Logger LOGGER = LoggerFactory.getLogger(RelayHosts.class);

    private final Hop primary;
    private final Optional<Hop> secondary;
    private final Duration checkInterval;
    private final Clock clock;
    private final List<String> etrnNames;
    private final Duration etrnEvery;
    private boolean primaryDown;
    private long nextCheck;
    private long nextEtrn;

    RelayHosts(Hop primary, Optional<Hop> secondary, Duration checkInterval, Clock clock) {
        this(primary, secondary, checkInterval, List.of(), Duration.ZERO, clock);
    }

    RelayHosts(Hop primary, Optional<Hop> secondary, Duration checkInterval, List<String> etrnNames,
               Duration etrnEvery, Clock clock) {
        this.primary = primary;
        this.secondary = secondary;
        this.checkInterval = checkInterval;
        this.etrnNames = List.copyOf(etrnNames);
        this.etrnEvery = etrnEvery;
        this.clock = clock;
    }

    /** The names to ask a relay for with ETRN (none: the relay is not asked). */
    List<String> etrnNames() {
        return etrnNames;
    }

    boolean isRelay(Hop hop) {
        return hop.equals(primary) || secondary.filter(hop::equals).isPresent();
    }

    /**
     * The relay to poll with ETRN now, when polling is on and due (the next poll is then scheduled): the first poll is
     * at once, so mail waiting at the relay comes in after a start.
     */
    synchronized Optional<Hop> etrnPollDue() {
        if (etrnNames.isEmpty() || etrnEvery.isZero() || clock.millis() < nextEtrn) {
            return Optional.empty();
        }
        nextEtrn = clock.millis() + etrnEvery.toMillis();
        return Optional.of(hops().get(0));
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
