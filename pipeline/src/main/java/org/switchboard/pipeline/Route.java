package org.switchboard.pipeline;

import java.util.Objects;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * The route the Message Switch chose for one recipient, {@code CHANNEL$address}: an output channel and the address
 * in that channel (e.g. {@code SMTPC$peterchan@otherisp.net}). For the channels with Internet addresses
 * ({@link Channel#hasInternetAddresses()}) the address is a mail address; the others (DL, CCIN, NOTESIN) may use
 * addresses of their own (a cc:Mail or Notes name). The address holds no {@code $}, as in the directory's
 * {@code othermailbox} values (RFC 1274 {@code type$mailbox}).
 */
public record Route(Channel channel, String address) {
    public static final char SEPARATOR = '$';

    public Route {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
        address = address.trim();
        if (!channel.isOutput()) {
            throw new IllegalArgumentException(channel + " is not an output channel; output channels are "
                + Channel.outputs());
        }
        if (address.isEmpty()) {
            throw new IllegalArgumentException("empty address for channel " + channel);
        }
        if (address.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("address '" + address + "' of channel " + channel + " contains a '"
                + SEPARATOR + "'");
        }
        if (channel.hasInternetAddresses() && mailAddress(address).isEmpty()) {
            throw new IllegalArgumentException("address '" + address + "' of channel " + channel
                + " is not a mail address");
        }
    }

    /** The route to an output channel named by its (case-insensitive) name. */
    public static Route of(String channel, String address) {
        return new Route(Channel.output(channel), address);
    }

    /** Parses {@code CHANNEL$address}; {@link IllegalArgumentException} naming the value when it is not a route. */
    public static Route parse(String value) {
        int separator = value == null ? -1 : value.indexOf(SEPARATOR);
        if (separator <= 0) {
            throw new IllegalArgumentException("route '" + value + "' is not CHANNEL$address");
        }
        try {
            return of(value.substring(0, separator), value.substring(separator + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route '" + value + "': " + e.getMessage(), e);
        }
    }

    /** The address as an Internet mail address, when it is one (always for channels with Internet addresses). */
    public Optional<MailAddress> mailAddress() {
        return mailAddress(address);
    }

    private static Optional<MailAddress> mailAddress(String address) {
        try {
            return Optional.of(new MailAddress(address));
        } catch (AddressException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return channel.name() + SEPARATOR + address;
    }
}
