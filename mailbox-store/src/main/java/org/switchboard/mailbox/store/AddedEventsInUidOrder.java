package org.switchboard.mailbox.store;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the "message added" events of each mailbox in UID order.
 *
 * <p>Appends to one mailbox are written together (group commit) and then each appending thread announces its own
 * message: without an order, UID 12 could be announced before UID 11. An IMAP session that has seen 12 then inserts 11
 * below it, and message numbers shift without an EXPUNGE (a client asks for message 70 and gets another one, or
 * nothing). So the UIDs of a written batch are noted here, under the mailbox lock, and an announcement waits until
 * every smaller noted UID of its mailbox was announced. The wait is bounded by the mailbox's progress, not by a
 * total: only when no announcement of the mailbox completed for {@link #MAX_WAIT} (an append was written but its
 * announcement never comes: its thread failed in between) is the gap given up. A total bound broke the order under
 * load, when a long queue of announcements, each slow but all progressing, outlasted it.
 */
final class AddedEventsInUidOrder {
    private static final Logger LOGGER = LoggerFactory.getLogger(AddedEventsInUidOrder.class);
    static final Duration MAX_WAIT = Duration.ofSeconds(2);

    private final Map<MailboxId, Pending> mailboxes = new ConcurrentHashMap<>();

    /** The UIDs just written to the mailbox; their announcements are to come. */
    void written(MailboxId mailboxId, Collection<MessageUid> uids) {
        if (uids.isEmpty()) {
            return;
        }
        Pending pending = mailboxes.computeIfAbsent(mailboxId, any -> new Pending());
        pending.lock.lock();
        try {
            uids.forEach(uid -> pending.uids.add(uid.asLong()));
        } finally {
            pending.lock.unlock();
        }
    }

    /** Waits until every smaller written UID of the mailbox was announced (or none was for {@link #MAX_WAIT}). */
    void awaitTurn(MailboxId mailboxId, MessageUid lowest) {
        Pending pending = mailboxes.get(mailboxId);
        if (pending == null) {
            return;
        }
        pending.lock.lock();
        try {
            long progress = pending.announcements;
            long deadline = System.nanoTime() + MAX_WAIT.toNanos();
            while (!pending.uids.isEmpty() && pending.uids.first() < lowest.asLong()) {
                if (pending.announcements != progress) {
                    progress = pending.announcements;
                    deadline = System.nanoTime() + MAX_WAIT.toNanos();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOGGER.warn("Mailbox {}: UIDs {} were written but no announcement came for {}; announcing UID {} anyway",
                        mailboxId.serialize(), pending.uids.headSet(lowest.asLong()), MAX_WAIT, lowest.asLong());
                    pending.uids.headSet(lowest.asLong()).clear();
                    break;
                }
                pending.announced.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pending.lock.unlock();
        }
    }

    /** The UIDs were announced (or will never be). */
    void announced(MailboxId mailboxId, Collection<MessageUid> uids) {
        Pending pending = mailboxes.get(mailboxId);
        if (pending == null) {
            return;
        }
        pending.lock.lock();
        try {
            uids.forEach(uid -> pending.uids.remove(uid.asLong()));
            pending.announcements++;
            pending.announced.signalAll();
            // kept when empty: removing it could race with a writer that already holds it
        } finally {
            pending.lock.unlock();
        }
    }

    private static final class Pending {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition announced = lock.newCondition();
        private final TreeSet<Long> uids = new TreeSet<>();
        /** Completed announcements: a waiter's deadline restarts whenever this moves. */
        private long announcements;
    }
}
