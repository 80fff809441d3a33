package org.switchboard.mailets.smtpc;

import org.apache.mailet.AttributeName;

/**
 * The attributes SMTPC keeps on a queued outbound mail. They are stored with the mail in the spool record, so a
 * deferred mail's history (attempts, first deferral, last reply) survives a restart.
 */
public final class SmtpcAttributes {
    /** The destination domain (String, lower case): every recipient of a queued mail is in it. */
    public static final AttributeName DOMAIN = AttributeName.of("org.switchboard.smtpc.domain");
    /** When the mail entered SMTPC (Long, epoch milliseconds): the expiry counts from it. */
    public static final AttributeName QUEUED_AT = AttributeName.of("org.switchboard.smtpc.queued-at");
    /** Delivery attempts that ended in a temporary failure (Integer). */
    public static final AttributeName ATTEMPTS = AttributeName.of("org.switchboard.smtpc.attempts");
    /** When the mail was first deferred (Long, epoch milliseconds). */
    public static final AttributeName FIRST_DEFERRED = AttributeName.of("org.switchboard.smtpc.first-deferred");
    /** When the mail is due again (Long, epoch milliseconds). */
    public static final AttributeName NEXT_ATTEMPT = AttributeName.of("org.switchboard.smtpc.next-attempt");
    /** The last reply or error of the peer (String). */
    public static final AttributeName LAST_REPLY = AttributeName.of("org.switchboard.smtpc.last-reply");
    /** Whether the sender already got its NOTIFY=DELAY notice (Boolean). */
    public static final AttributeName DELAY_NOTIFIED = AttributeName.of("org.switchboard.smtpc.delay-notified");

    private SmtpcAttributes() {
    }
}
