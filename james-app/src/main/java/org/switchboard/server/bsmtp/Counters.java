package org.switchboard.server.bsmtp;

import java.util.concurrent.atomic.AtomicLong;

/** What the decoder did since the server started, for JMX and {@code james-cli BsmtpStatus}. */
final class Counters {
    /** Tunnel messages downloaded, and their octets. */
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    /** Transactions put in the spool, and rejected (reported to the postmaster). */
    final AtomicLong transactions = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    /** Messages that were no batch from a configured encoder (delivered to the postmaster untouched). */
    final AtomicLong other = new AtomicLong();
    /** Messages whose UIDL was already recorded: deleted on the server, not injected again. */
    final AtomicLong seenAgain = new AtomicLong();
    /** Polls that failed (connection, login, POP3 or spool errors). */
    final AtomicLong errors = new AtomicLong();

    @Override
    public String toString() {
        return "messages=" + messages + " bytes=" + bytes + " transactions=" + transactions + " rejected=" + rejected
            + " other=" + other + " seenAgain=" + seenAgain + " errors=" + errors;
    }
}
