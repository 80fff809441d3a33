package org.switchboard.server.smtpc;

import java.time.Instant;
import java.util.Optional;

/**
 * A domain channel's state as the administrator sees it (JMX, CLI, WebAdmin): held for ETRN or active, its pending,
 * deferred and held mail, open sessions, the next queue run, the last peer and the last error.
 *
 * @param mode "active", or "held (ETRN)" for a domain whose mail waits for ETRN or a flush
 */
public record ChannelState(String domain, String mode, int pending, int deferred, int held, int sessions,
                           Optional<Instant> nextRun, Optional<String> lastPeer, Optional<String> lastError,
                           Optional<Instant> lastErrorAt) {

    /** One line: "example.org: active, pending 0, deferred 1, held 0, sessions 0, next run ..., last peer ...". */
    public String describe() {
        return domain + ": " + mode
            + ", pending " + pending + ", deferred " + deferred + ", held " + held
            + ", sessions " + sessions
            + ", next run " + nextRun.map(Instant::toString).orElse("-")
            + ", last peer " + lastPeer.orElse("-")
            + ", last error " + lastError.map(error -> lastErrorAt.map(at -> at + " ").orElse("") + error).orElse("-");
    }
}
