package org.switchboard.mailbox.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Lock;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

/**
 * Appends to one mailbox combined into one synced batch (group commit within a mailbox).
 *
 * <p>The writers of a mailbox hold its lock from UID allocation to the end of the synced write, so that UIDs become
 * visible in ascending order and only once durable. Holding it through an fsync would let one mailbox take at most
 * one message per fsync; instead an append queues itself and waits for the lock, and the thread that gets the lock
 * writes every queued append of the mailboxes of that lock in one batch: consecutive UIDs, one fsync. The appends
 * that arrived during that fsync are the next batch.
 */
final class CombinedAppends {
    private final RocksDbMailboxStore store;
    private final MessageTable messages;
    private final Clock clock;
    private final Map<Lock, Queue<Append>> queues = new ConcurrentHashMap<>();

    CombinedAppends(RocksDbMailboxStore store, MessageTable messages, Clock clock) {
        this.store = store;
        this.messages = messages;
        this.clock = clock;
    }

    /** Appends {@code message}, unless {@code key} (if any) delivered a message before. */
    Delivery append(MailboxId mailboxId, MailboxMessage message, Optional<DeliveryKey> key) throws MailboxException {
        Append append = new Append(mailboxId, message, key, octetsOf(message));
        Lock lock = store.lockOf(mailboxId);
        Queue<Append> queue = queues.computeIfAbsent(lock, any -> new ConcurrentLinkedQueue<>());
        queue.add(append);
        lock.lock();
        try {
            if (!append.done) {
                write(drain(queue));
            }
        } finally {
            lock.unlock();
        }
        if (append.failure != null) {
            throw append.failure;
        }
        return append.delivery;
    }

    private static List<Append> drain(Queue<Append> queue) {
        List<Append> group = new ArrayList<>();
        for (Append append = queue.poll(); append != null; append = queue.poll()) {
            group.add(append);
        }
        return group;
    }

    private void write(List<Append> group) {
        try (Batch batch = store.batch()) {
            batch.lockMessages(group.stream().map(append -> append.message.getMessageId()).toList());
            Map<MailboxId, MailboxCounterRecord> counters = new LinkedHashMap<>();
            Map<ByteBuffer, Delivery> deliveries = new HashMap<>();
            for (Append append : group) {
                Optional<Delivery> earlier = append.key.isPresent() ? earlierDelivery(append.key.get(), deliveries) : Optional.empty();
                if (earlier.isPresent()) {
                    append.delivery = earlier.get();
                    continue;
                }
                MailboxCounterRecord mailboxCounters = counters.containsKey(append.mailboxId)
                    ? counters.get(append.mailboxId)
                    : messages.counters(append.mailboxId);
                mailboxCounters = mailboxCounters.withNextUid().withNextModSeq();
                MailboxMessage message = append.message;
                message.setUid(MessageUid.of(mailboxCounters.lastUid()));
                message.setModSeq(ModSeq.of(mailboxCounters.highestModSeq()));
                message.setSaveDate(Date.from(clock.instant()));
                messages.putNew(batch, message, append.octets);
                counters.put(append.mailboxId, mailboxCounters.plus(1, message.isSeen() ? 0 : 1)
                    .withUserFlagsOf(message.createFlags()));
                append.delivery = new Delivery(append.mailboxId, message.getUid(), false);
                if (append.key.isPresent()) {
                    batch.put(Table.DELIVERIES, append.key.get().asKey(),
                        new DeliveryRecord(append.mailboxId, message.getUid(), clock.millis()).encode());
                    deliveries.put(ByteBuffer.wrap(append.key.get().asKey()), append.delivery);
                }
            }
            for (Map.Entry<MailboxId, MailboxCounterRecord> mailboxCounters : counters.entrySet()) {
                messages.putCounters(batch, mailboxCounters.getKey(), mailboxCounters.getValue());
            }
            batch.commit();
            // still under the mailbox lock: noted before any append of a later batch can announce itself
            for (Append append : group) {
                if (!append.delivery.duplicate()) {
                    store.addedEvents().written(append.mailboxId, List.of(append.delivery.uid()));
                }
            }
        } catch (MailboxException e) {
            group.forEach(append -> append.failure = e);
        } catch (RuntimeException e) {
            MailboxException failure = new MailboxException("Cannot append to the mailbox store", e);
            group.forEach(append -> append.failure = failure);
        } finally {
            group.forEach(append -> append.done = true);
        }
    }

    private Optional<Delivery> earlierDelivery(DeliveryKey key, Map<ByteBuffer, Delivery> deliveriesOfThisBatch) throws MailboxException {
        Delivery inThisBatch = deliveriesOfThisBatch.get(ByteBuffer.wrap(key.asKey()));
        if (inThisBatch != null) {
            return Optional.of(new Delivery(inThisBatch.mailboxId(), inThisBatch.uid(), true));
        }
        return Optional.ofNullable(store.get(Table.DELIVERIES, key.asKey()))
            .map(DeliveryRecord::decode)
            .map(record -> new Delivery(record.mailboxId(), record.uid(), true));
    }

    /** Read before queueing: a message that cannot be read fails alone, not the batch it would have joined. */
    private static byte[] octetsOf(MailboxMessage message) throws MailboxException {
        try (InputStream content = message.getFullContent()) {
            return content.readAllBytes();
        } catch (IOException e) {
            throw new MailboxException("Cannot read the message to store", e);
        }
    }

    /** One queued append; its outcome is set by the thread that writes it, under the mailbox lock. */
    private static final class Append {
        private final MailboxId mailboxId;
        private final MailboxMessage message;
        private final Optional<DeliveryKey> key;
        private final byte[] octets;
        private boolean done;
        private Delivery delivery;
        private MailboxException failure;

        private Append(MailboxId mailboxId, MailboxMessage message, Optional<DeliveryKey> key, byte[] octets) {
            this.mailboxId = mailboxId;
            this.message = message;
            this.key = key;
            this.octets = octets;
        }
    }
}
