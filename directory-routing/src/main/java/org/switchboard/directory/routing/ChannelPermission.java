package org.switchboard.directory.routing;

import java.util.Objects;

/**
 * One {@code x-permission} value, {@code CHANNEL$Right} (e.g. {@code SMTPC$Send/Receive}, {@code CCMAIL$None}):
 * the right an entry has on a channel. The channel is upper-cased.
 */
public record ChannelPermission(String channel, Permission permission) {

    public ChannelPermission {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(permission, "permission");
        channel = OtherMailbox.channelName(channel);
    }

    /** Parses {@code CHANNEL$Right}; throws {@link IllegalArgumentException} naming the bad value. */
    public static ChannelPermission parse(String value) {
        int separator = value == null ? -1 : value.indexOf(OtherMailbox.SEPARATOR);
        if (separator <= 0 || separator == value.length() - 1) {
            throw new IllegalArgumentException("x-permission value '" + value
                + "' is not CHANNEL$Send, CHANNEL$Receive, CHANNEL$Send/Receive or CHANNEL$None");
        }
        try {
            return new ChannelPermission(value.substring(0, separator),
                Permission.parse(value.substring(separator + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("x-permission value '" + value + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return channel + OtherMailbox.SEPARATOR + permission.ldapValue();
    }
}
