package org.switchboard.server.smtpc;

import java.util.Optional;

import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.switchboard.mailets.smtpc.SmtpcAttributes;

/**
 * A mail of a domain channel: the spool's queue item (acknowledged once the mail is delivered, bounced or queued
 * again with its new history) and what the priority weight needs, read once.
 */
final class QueuedEntry {
    private final MailQueueItem item;
    private final int precedence;
    private final long sizeKb;
    private volatile long nextAttempt;

    QueuedEntry(MailQueueItem item, int precedence, long sizeBytes) {
        this.item = item;
        this.precedence = precedence;
        this.sizeKb = (sizeBytes + 1023) / 1024;
        this.nextAttempt = longAttribute(SmtpcAttributes.NEXT_ATTEMPT).orElse(0L);
    }

    MailQueueItem item() {
        return item;
    }

    Mail mail() {
        return item.getMail();
    }

    String name() {
        return mail().getName();
    }

    int precedence() {
        return precedence;
    }

    long sizeKb() {
        return sizeKb;
    }

    long queuedAt() {
        return longAttribute(SmtpcAttributes.QUEUED_AT).orElse(mail().getLastUpdated().getTime());
    }

    Optional<Long> firstDeferred() {
        return longAttribute(SmtpcAttributes.FIRST_DEFERRED);
    }

    int attempts() {
        return mail().getAttribute(SmtpcAttributes.ATTEMPTS)
            .flatMap(attribute -> attribute.getValue().valueAs(Integer.class)).orElse(0);
    }

    Optional<String> lastReply() {
        return mail().getAttribute(SmtpcAttributes.LAST_REPLY)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class));
    }

    boolean delayNotified() {
        return mail().getAttribute(SmtpcAttributes.DELAY_NOTIFIED)
            .flatMap(attribute -> attribute.getValue().valueAs(Boolean.class)).orElse(false);
    }

    long nextAttempt() {
        return nextAttempt;
    }

    void nextAttempt(long millis) {
        nextAttempt = millis;
    }

    PriorityWeight weight(long now, long precedenceMultiplier, long sizeMultiplier) {
        long deferredMinutes = firstDeferred().map(since -> Math.max(0, now - since) / 60_000).orElse(0L);
        return new PriorityWeight(precedence, sizeKb, deferredMinutes, precedenceMultiplier, sizeMultiplier);
    }

    /** Records a temporary failure on the mail (stored with it when it is queued again). */
    void recordDeferral(long now, long next, String reply) {
        Mail mail = mail();
        mail.setAttribute(new Attribute(SmtpcAttributes.ATTEMPTS, AttributeValue.of(attempts() + 1)));
        if (firstDeferred().isEmpty()) {
            mail.setAttribute(new Attribute(SmtpcAttributes.FIRST_DEFERRED, AttributeValue.of(now)));
        }
        mail.setAttribute(new Attribute(SmtpcAttributes.NEXT_ATTEMPT, AttributeValue.of(next)));
        mail.setAttribute(new Attribute(SmtpcAttributes.LAST_REPLY, AttributeValue.of(reply)));
        nextAttempt = next;
    }

    void markDelayNotified() {
        mail().setAttribute(new Attribute(SmtpcAttributes.DELAY_NOTIFIED, AttributeValue.of(true)));
    }

    private Optional<Long> longAttribute(AttributeName name) {
        return mail().getAttribute(name).flatMap(attribute -> attribute.getValue().valueAs(Long.class));
    }
}
