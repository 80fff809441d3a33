package org.switchboard.directory.routing;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * One {@code othermailbox} value, {@code CHANNEL$address}: the channel the message is routed to and the address it
 * has in that channel (e.g. {@code SMTPC$peterchan@otherisp.net}, {@code LOCAL$peter@ima.net}). Channel names are
 * upper-cased; the address is kept as written, since channels other than LOCAL and SMTPC may use non-RFC 5322
 * addresses (a cc:Mail or Notes name). For the channels of {@link #INTERNET_CHANNELS} the address must be an
 * Internet mail address ({@link #mailAddress()}).
 *
 * <p>RFC 1274's {@code otherMailbox} syntax ({@code type$mailbox}) allows one dollar sign only; a second one is
 * refused here too, since OpenLDAP (IA5 String syntax) would store it.
 */
public record Route(String channel, String address) {
    public static final char SEPARATOR = '$';
    /** Channels whose addresses are Internet mail addresses. */
    public static final Set<String> INTERNET_CHANNELS = Set.of("LOCAL", "SMTPC", "BSMTP", "BSMTPOUT");

    public Route {
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
        if (INTERNET_CHANNELS.contains(channel)) {
            parseMailAddress(channel, address);
        }
    }

    /** Parses {@code CHANNEL$address}; throws {@link IllegalArgumentException} naming the bad value. */
    public static Route parse(String value) {
        int separator = value == null ? -1 : value.indexOf(SEPARATOR);
        if (separator <= 0 || separator == value.length() - 1) {
            throw new IllegalArgumentException("othermailbox value '" + value + "' is not CHANNEL$address");
        }
        try {
            return new Route(value.substring(0, separator), value.substring(separator + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("othermailbox value '" + value + "': " + e.getMessage(), e);
        }
    }

    /** The address as an Internet mail address, when it is one (always for {@link #INTERNET_CHANNELS}). */
    public Optional<MailAddress> mailAddress() {
        try {
            return Optional.of(new MailAddress(address));
        } catch (AddressException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Upper-cases and checks a channel name: letters, digits, {@code _} and {@code -} only.
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

    private static void parseMailAddress(String channel, String address) {
        try {
            new MailAddress(address);
        } catch (AddressException | RuntimeException e) {
            throw new IllegalArgumentException("Address '" + address + "' of channel " + channel
                + " is not a mail address: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return channel + SEPARATOR + address;
    }
}
