package org.switchboard.mailets.lists;

import java.util.Map;

import org.apache.james.core.MailAddress;

/**
 * A list's bounce settings and its members' bounce records, as the directory holds them.
 *
 * @param verp      {@code ieListVerp} (default {@link VerpMode#AUTO})
 * @param threshold {@code ieListBounceThreshold}: the score at which a member's delivery is disabled (default
 *                  {@value #DEFAULT_THRESHOLD})
 * @param records   the members with a record
 */
public record BounceState(VerpMode verp, double threshold, Map<MailAddress, BounceRecord> records) {
    public static final double DEFAULT_THRESHOLD = 5.0;

    public BounceState {
        records = Map.copyOf(records);
    }

    /** The member's record; a record without bounces when there is none. */
    public BounceRecord of(MailAddress member) {
        return records.getOrDefault(member, BounceRecord.none(member));
    }

    public boolean isDisabled(MailAddress member) {
        return of(member).isDisabled();
    }
}
