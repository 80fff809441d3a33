package org.switchboard.matchers.messageswitch;

import java.util.Set;

/**
 * One side of a {@link ChannelMatrix} condition: the channels listed ({@code SMTPD,BSMTPIN}), every channel
 * ({@code *}, or the side left out), or every channel but some ({@code !WEBMAIL}, {@code *,!WEBMAIL}).
 * Names are upper-case.
 */
record ChannelSet(boolean any, Set<String> included, Set<String> excluded) {
    static final ChannelSet ANY = new ChannelSet(true, Set.of(), Set.of());

    ChannelSet {
        included = Set.copyOf(included);
        excluded = Set.copyOf(excluded);
    }

    boolean contains(String channel) {
        return (any || included.contains(channel)) && !excluded.contains(channel);
    }

    @Override
    public String toString() {
        if (any && excluded.isEmpty()) {
            return "*";
        }
        StringBuilder text = new StringBuilder(any ? "*" : String.join(",", included.stream().sorted().toList()));
        excluded.stream().sorted().forEach(name -> text.append(text.isEmpty() ? "" : ",").append('!').append(name));
        return text.toString();
    }
}
