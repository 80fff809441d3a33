package org.switchboard.mailets.lists;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a member receives the list's messages: {@link #IMMEDIATE} (attribute {@code ieListMember}, the default) or
 * {@link #DIGEST} (attribute {@code ieListDigestMember}).
 */
public enum DeliveryMode {
    IMMEDIATE("ieListMember"),
    DIGEST("ieListDigestMember");

    private final String attribute;

    DeliveryMode(String attribute) {
        this.attribute = attribute;
    }

    /** The attribute of the {@code ielist} entry that holds the members in this mode. */
    public String attribute() {
        return attribute;
    }

    /** The mode of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    public static DeliveryMode named(String name) {
        return Arrays.stream(values())
            .filter(mode -> mode.name().equals(name.trim().toUpperCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a delivery mode; the modes are "
                + Arrays.toString(values())));
    }
}
