package org.switchboard.mailets.lists;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * A member's bounces on one list, scored Mailman's way (an {@code ielistbounce} entry below the list).
 *
 * @param member     the member
 * @param score      the sum of the weights of the counted bounces ({@link BounceKind#weight()})
 * @param lastBounce the day of the last counted bounce: at most one bounce counts per day
 * @param disabled   since when the member's delivery is disabled; empty while the member receives posts
 * @param notices    how many notices went to the disabled member after the one saying it was disabled
 * @param lastNotice when the last notice went
 */
public record BounceRecord(MailAddress member, double score, Optional<LocalDate> lastBounce, Optional<Instant> disabled,
                           int notices, Optional<Instant> lastNotice) {

    /** A member without counted bounces. */
    public static BounceRecord none(MailAddress member) {
        return new BounceRecord(member, 0, Optional.empty(), Optional.empty(), 0, Optional.empty());
    }

    public boolean isDisabled() {
        return disabled.isPresent();
    }

    /**
     * The record with the bounce of that day counted: unchanged when a bounce counted that day already or the member
     * is disabled; the score starts again from zero when the last counted bounce is older than {@code staleAfter}.
     */
    public BounceRecord counted(BounceKind kind, LocalDate day, Duration staleAfter) {
        if (isDisabled() || lastBounce.filter(last -> !last.isBefore(day)).isPresent()) {
            return this;
        }
        boolean stale = lastBounce.filter(last -> last.plusDays(staleAfter.toDays()).isBefore(day)).isPresent();
        return new BounceRecord(member, (stale ? 0 : score) + kind.weight(), Optional.of(day), disabled, notices,
            lastNotice);
    }

    /** The record of a member whose delivery was disabled at that instant (that notice goes at once). */
    public BounceRecord disabledAt(Instant now) {
        return new BounceRecord(member, score, lastBounce, Optional.of(now), 0, Optional.of(now));
    }

    /** Whether the next notice to the disabled member is due: {@code interval} after the last one. */
    public boolean noticeDue(Instant now, Duration interval) {
        return isDisabled() && !lastNotice.orElse(Instant.MIN).plus(interval).isAfter(now);
    }

    /** The record after one more notice, sent at that instant. */
    public BounceRecord noticed(Instant now) {
        return new BounceRecord(member, score, lastBounce, disabled, notices + 1, Optional.of(now));
    }
}
