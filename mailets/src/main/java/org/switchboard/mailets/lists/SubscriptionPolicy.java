package org.switchboard.mailets.lists;

import java.util.Arrays;
import java.util.Locale;

/**
 * How people join a list by mail (attribute {@code ieListSubscription}). {@link #OPEN} and {@link #CONFIRM} (the
 * default): the requester confirms by answering a mail carrying a token, then is added. {@link #CLOSED}: after the
 * requester confirms, the owner approves (or denies) the request.
 */
public enum SubscriptionPolicy {
    OPEN, CONFIRM, CLOSED;

    public static final SubscriptionPolicy DEFAULT = CONFIRM;

    public boolean needsOwnerApproval() {
        return this == CLOSED;
    }

    /** The policy of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    public static SubscriptionPolicy named(String name) {
        return Arrays.stream(values())
            .filter(policy -> policy.name().equals(name.trim().toUpperCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a subscription policy; the policies"
                + " are " + Arrays.toString(values())));
    }
}
