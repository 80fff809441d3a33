package org.switchboard.mailets.lists;

/**
 * What a list does with a post whose From domain publishes DMARC {@code p=reject} or {@code p=quarantine}
 * (attribute {@code ieListDmarc}): re-sent as it is, the list's copy fails the author domain's DMARC check at the
 * members' servers (the list changed it, and its envelope is the list's), which reject or junk it and bounce the
 * members off the list. {@link #MUNGE} (the default): From becomes {@code "Author via List" <list@...>}, the author
 * goes to Reply-To (and Cc); {@link #WRAP}: the post travels, untouched, as a {@code message/rfc822} attachment of a
 * message from the list; {@link #NONE}: as it is.
 */
public enum DmarcMitigation {
    MUNGE, WRAP, NONE;

    public static final DmarcMitigation DEFAULT = MUNGE;

    /** The mitigation of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    public static DmarcMitigation named(String name) {
        return EnumNames.named(DmarcMitigation.class, name, "a DMARC mitigation");
    }
}
