package org.switchboard.directory.routing;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code othermailbox} value, {@code CHANNEL$address}: the channel the message is routed to and the address it
 * has in that channel (e.g. {@code SMTPC$peterchan@otherisp.net}, {@code LOCAL$peter@ima.net}). Channel names are
 * upper-cased; the address is kept as written, since channels other than LOCAL and SMTPC may use non-RFC 5322
 * addresses.
 */
public record Route(String channel, String address) {
    public static final char SEPARATOR = '$';

    public Route {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
        channel = channel.trim().toUpperCase(Locale.ROOT);
        address = address.trim();
        if (channel.isEmpty() || !channel.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
            throw new IllegalArgumentException("Invalid channel name '" + channel + "'");
        }
        if (address.isEmpty()) {
            throw new IllegalArgumentException("Empty address for channel " + channel);
        }
    }

    /** Parses {@code CHANNEL$address}; throws {@link IllegalArgumentException} naming the bad value. */
    public static Route parse(String value) {
        int separator = value == null ? -1 : value.indexOf(SEPARATOR);
        if (separator <= 0 || separator == value.length() - 1) {
            throw new IllegalArgumentException("othermailbox value '" + value + "' is not CHANNEL$address");
        }
        return new Route(value.substring(0, separator), value.substring(separator + 1));
    }

    @Override
    public String toString() {
        return channel + SEPARATOR + address;
    }
}
