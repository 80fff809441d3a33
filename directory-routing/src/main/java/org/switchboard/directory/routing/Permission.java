package org.switchboard.directory.routing;

import java.util.Locale;

/**
 * One {@code x-permission} value's right, {@code CHANNEL$Send|Receive|Send/Receive|None}. A channel an entry has
 * no {@code x-permission} value for is {@link #SEND_RECEIVE}: the spec's permissions restrict, they do not grant.
 */
public enum Permission {
    SEND(true, false, "Send"),
    RECEIVE(false, true, "Receive"),
    SEND_RECEIVE(true, true, "Send/Receive"),
    NONE(false, false, "None");

    private final boolean maySend;
    private final boolean mayReceive;
    private final String ldapValue;

    Permission(boolean maySend, boolean mayReceive, String ldapValue) {
        this.maySend = maySend;
        this.mayReceive = mayReceive;
        this.ldapValue = ldapValue;
    }

    public boolean maySend() {
        return maySend;
    }

    public boolean mayReceive() {
        return mayReceive;
    }

    /** The spelling used in the directory. */
    public String ldapValue() {
        return ldapValue;
    }

    /**
     * What both rights allow: an entry with two values for one channel (e.g. {@code SMTPC$Send} and
     * {@code SMTPC$None}) gets the more restrictive combination, since permissions restrict.
     */
    public Permission intersect(Permission other) {
        return of(maySend && other.maySend, mayReceive && other.mayReceive);
    }

    public static Permission of(boolean maySend, boolean mayReceive) {
        if (maySend) {
            return mayReceive ? SEND_RECEIVE : SEND;
        }
        return mayReceive ? RECEIVE : NONE;
    }

    /** Case-insensitive: {@code Send}, {@code Receive}, {@code Send/Receive}, {@code None}. */
    public static Permission parse(String right) {
        String normalized = right == null ? "" : right.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        return switch (normalized) {
            case "send" -> SEND;
            case "receive" -> RECEIVE;
            case "send/receive", "receive/send" -> SEND_RECEIVE;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("x-permission right '" + right
                + "' is not Send, Receive, Send/Receive or None");
        };
    }
}
