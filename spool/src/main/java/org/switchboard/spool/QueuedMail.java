package org.switchboard.spool;

import org.apache.james.server.core.MailImpl;

/** A mail of a queue as the queue keeps it in memory: where it is stored, when it is due, its envelope. */
final class QueuedMail {
    private final long sequence;
    private final byte[] key;
    private final MailRecord.Summary summary;
    private long dueMillis;
    /** A copy not yet handed out, kept while the memory budget allows; otherwise the mail is read from disk. */
    private MailImpl unsent;

    QueuedMail(long sequence, byte[] key, MailRecord.Summary summary) {
        this.sequence = sequence;
        this.key = key;
        this.summary = summary;
        this.dueMillis = summary.dueMillis();
    }

    long sequence() {
        return sequence;
    }

    byte[] key() {
        return key;
    }

    MailRecord.Summary summary() {
        return summary;
    }

    int priority() {
        return summary.priority();
    }

    long dueMillis() {
        return dueMillis;
    }

    void dueAt(long millis) {
        this.dueMillis = millis;
    }

    MailImpl unsent() {
        return unsent;
    }

    void keepUnsent(MailImpl mail) {
        this.unsent = mail;
    }
}
