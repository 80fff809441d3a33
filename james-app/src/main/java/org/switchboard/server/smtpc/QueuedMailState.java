package org.switchboard.server.smtpc;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Why a mail is still in SMTPC's queue: where it waits (pending, deferred, held), its priority weight and the terms
 * that make it, its attempts and the peer's last reply, its next attempt and its expiry, and its channel's state.
 *
 * @param nextAttempt empty when the mail is due now
 */
public record QueuedMailState(String name, List<String> recipients, String state, long weight, PriorityWeight weightTerms,
                              int attempts, Optional<String> lastReply, Optional<Instant> nextAttempt, Instant expires,
                              ChannelState channel) {

    /** The whole answer in one line, as the CLI prints it. */
    public String explain() {
        return "mail " + name + " to " + recipients + ": " + state
            + (state.equals("held") ? " until the peer sends ETRN or an administrator flushes " + channel.domain() : "")
            + "; weight " + weightTerms.explain()
            + "; attempts " + attempts
            + "; last reply " + lastReply.orElse("-")
            + "; next attempt " + nextAttempt.map(Instant::toString).orElse("now")
            + "; expires " + expires
            + "; channel " + channel.describe();
    }
}
