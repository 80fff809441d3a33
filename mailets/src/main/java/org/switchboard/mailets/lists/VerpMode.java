package org.switchboard.mailets.lists;

/**
 * Whether each member's copy of a post leaves on its own with a VERP envelope sender ({@link Verp}), attribute
 * {@code ieListVerp}. {@link #ON}: always; {@link #OFF}: never (one mail to all members, sent per destination domain;
 * bounces are then attributed from RFC 3464 reports and plain text); {@link #AUTO} (the default): ON for lists of at
 * most the manager's {@code verpMaxMembers} receiving members, OFF for larger ones, where a copy per member would
 * cost one spool pass and one SMTP transaction per member instead of per domain.
 */
public enum VerpMode {
    ON, OFF, AUTO;

    /** Whether a post to that many receiving members goes out with VERP. */
    public boolean applies(int members, int autoMaxMembers) {
        return this == ON || this == AUTO && members <= autoMaxMembers;
    }

    /** The mode of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    public static VerpMode named(String name) {
        return EnumNames.named(VerpMode.class, name, "a VERP mode");
    }
}
