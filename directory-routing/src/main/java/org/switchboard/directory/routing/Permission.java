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
