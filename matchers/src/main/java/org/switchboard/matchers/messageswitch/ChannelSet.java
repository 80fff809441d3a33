package org.switchboard.matchers.messageswitch;

import java.util.List;
import java.util.Set;

import org.switchboard.pipeline.Channel;

/**
 * One side of a {@link ChannelMatrix} condition: the channels listed ({@code SMTPD,BSMTPIN}), every channel
 * ({@code *}, or the side left out), or every channel but some ({@code !WEBMAIL}, {@code *,!WEBMAIL}).
 */
record ChannelSet(boolean any, Set<Channel> included, Set<Channel> excluded) {
    static final ChannelSet ANY = new ChannelSet(true, Set.of(), Set.of());

    ChannelSet {
        included = Set.copyOf(included);
        excluded = Set.copyOf(excluded);
    }

    boolean contains(Channel channel) {
        return (any || included.contains(channel)) && !excluded.contains(channel);
    }

    @Override
    public String toString() {
        if (any && excluded.isEmpty()) {
            return "*";
        }
        StringBuilder text = new StringBuilder(any ? "*" : String.join(",", names(included)));
        names(excluded).forEach(name -> text.append(text.isEmpty() ? "" : ",").append('!').append(name));
        return text.toString();
    }

    private static List<String> names(Set<Channel> channels) {
        return channels.stream().map(Channel::name).sorted().toList();
    }
}
