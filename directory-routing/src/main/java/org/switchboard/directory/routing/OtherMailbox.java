package org.switchboard.directory.routing;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code othermailbox} value as the directory holds it, {@code CHANNEL$address} (RFC 1274 {@code type$mailbox}):
 * a channel name and the address the entry has in that channel (e.g. {@code SMTPC$peterchan@otherisp.net},
 * {@code LOCAL$peter@ima.net}). This is the value's syntax only: the channel name is upper-cased and made of letters,
 * digits, {@code _} and {@code -}; the address is non-empty and kept as written. Whether the channel is one the mail
 * pipeline has, and whether the address suits it, is the pipeline's decision (its {@code Channel} and {@code Route}).
 *
 * <p>RFC 1274's syntax allows one dollar sign only; a second one is refused here too, since OpenLDAP (IA5 String
 * syntax) would store it.
 */
public record OtherMailbox(String channel, String address) {
    public static final char SEPARATOR = '$';

    public OtherMailbox {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
        channel = channelName(channel);
        address = address.trim();
        if (address.isEmpty()) {
            throw new IllegalArgumentException("Empty address for channel " + channel);
        }
        if (address.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("Address '" + address + "' of channel " + channel
                + " contains a second '" + SEPARATOR + "'");
        }
    }

    /** Parses {@code CHANNEL$address}; throws {@link IllegalArgumentException} naming the bad value. */
    public static OtherMailbox parse(String value) {
        int separator = value == null ? -1 : value.indexOf(SEPARATOR);
        if (separator <= 0 || separator == value.length() - 1) {
            throw new IllegalArgumentException("othermailbox value '" + value + "' is not CHANNEL$address");
        }
        try {
            return new OtherMailbox(value.substring(0, separator), value.substring(separator + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("othermailbox value '" + value + "': " + e.getMessage(), e);
        }
    }

    /**
     * Upper-cases and checks a channel name as the directory writes it ({@code othermailbox}, {@code x-permission}):
     * letters, digits, {@code _} and {@code -} only.
     *
     * @throws IllegalArgumentException naming the bad name
     */
    public static String channelName(String channel) {
        String name = channel.trim().toUpperCase(Locale.ROOT);
        if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '_' || c == '-')) {
            throw new IllegalArgumentException("Invalid channel name '" + channel.trim()
                + "' (letters, digits, _ and - only)");
        }
        return name;
    }

    @Override
    public String toString() {
        return channel + SEPARATOR + address;
    }
}
