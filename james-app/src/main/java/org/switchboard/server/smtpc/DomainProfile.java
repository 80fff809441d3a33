package org.switchboard.server.smtpc;

import java.time.Duration;

/**
 * A peer domain's SMTPC profile ({@code <profile>} of {@code conf/smtpc.xml}; the {@code default} profile for the
 * others).
 *
 * @param queueRunInterval time between two runs of the domain's deferred queue (also the retry period)
 * @param queueRunSize deferred mails tried at most in one run
 * @param maxSessions SMTP connections open at once to the domain's peer
 * @param maxMessagesPerSession messages sent over one connection before it is closed and another opened
 * @param expiry how long a mail may stay queued before it fails for good (a DSN to its sender)
 * @param sessionIdleTime how long an open connection waits for the domain's next mail before it is closed
 * @param hold "queue mail before attempting delivery": mail waits in the deferred queue until the peer asks for it
 *             with ETRN (an ETRN domain) or an administrator flushes it
 */
record DomainProfile(Duration queueRunInterval, int queueRunSize, int maxSessions, int maxMessagesPerSession,
                     Duration sessionIdleTime, Duration expiry, boolean hold) {
    static final DomainProfile DEFAULT = new DomainProfile(Duration.ofMinutes(15), 100, 2, 50, Duration.ofSeconds(2),
        Duration.ofDays(5), false);
}
