package org.switchboard.mailets.lists;

import java.util.Arrays;
import java.util.Locale;

/**
 * Who may post to a list (attribute {@code ieListPosting}). The spec's <em>open</em> list is {@link #OPEN} (anyone
 * posts), its <em>closed</em> list {@link #MEMBERS} (the default: only members post). {@link #OWNERS} is an
 * announcement list. {@link #MODERATED} is an open list with moderation: members and owners post, anyone else's post
 * is held until an owner approves it ({@link ListModeration}).
 */
public enum PostingPolicy {
    OPEN, MEMBERS, MODERATED, OWNERS;

    public static final PostingPolicy DEFAULT = MEMBERS;

    /** The policy of that name, case-insensitive; {@link IllegalArgumentException} naming the choices otherwise. */
    public static PostingPolicy named(String name) {
        return Arrays.stream(values())
            .filter(policy -> policy.name().equals(name.trim().toUpperCase(Locale.ROOT)))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a posting policy; the policies are "
                + Arrays.toString(values())));
    }
}
