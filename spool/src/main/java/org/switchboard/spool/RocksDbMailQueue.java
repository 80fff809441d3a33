package org.switchboard.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One mail queue of the spool (the spool itself, {@code outgoing}, ...): every mail is a record of the
 * {@link SpoolDatabase}, written and synced before {@link #enQueue} returns; the order (priority, then arrival) and
 * the due times live in memory and are rebuilt from the records at start-up.
 *
 * <p>A mail handed out stays stored until its consumer says {@code done}: SUCCESS deletes it; RETRY hands it out
 * again; REJECT (James' spooler could not even apply its error handling) keeps it and retries it after
 * {@value #REJECT_DELAY_MINUTES} minutes rather than dropping it. A mail handed out and never done (a crash) is
 * handed out again after the restart.
 */
public final class RocksDbMailQueue implements ManageableMailQueue {
    private static final Logger LOGGER = LoggerFactory.getLogger(RocksDbMailQueue.class);
    private static final int REJECT_DELAY_MINUTES = 5;
    private static final long MAX_WAIT_MILLIS = 500;
    private static final Comparator<QueuedMail> READY_ORDER = Comparator.comparingInt((QueuedMail mail) -> -mail.priority())
        .thenComparingLong(QueuedMail::sequence);
    private static final Comparator<QueuedMail> DUE_ORDER = Comparator.comparingLong(QueuedMail::dueMillis)
        .thenComparingLong(QueuedMail::sequence);

    private final MailQueueName name;
    private final byte[] keyPrefix;
    private final SpoolDatabase database;
    private final AtomicLong sequence;
    private final MemoryBudget memory;
    private final MailQueueItemDecoratorFactory decorators;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<QueuedMail> ready = new PriorityQueue<>(READY_ORDER);
    private final PriorityQueue<QueuedMail> delayed = new PriorityQueue<>(DUE_ORDER);
    private final Map<Long, QueuedMail> handedOut = new HashMap<>();
    /**
     * The thread that waits for the next due mail. Its own: a wait on a shared scheduler's thread would hold up the
     * tasks Reactor queues behind it on that thread (seen: the store's append of the last mail of a burst, queued on
     * the worker that then waited for a next mail).
     */
    private final Scheduler waiter;
    private volatile boolean closed;

    RocksDbMailQueue(MailQueueName name, SpoolDatabase database, AtomicLong sequence, MemoryBudget memory,
                     MailQueueItemDecoratorFactory decorators, Clock clock) {
        this.name = name;
        this.keyPrefix = keyPrefix(name);
        this.database = database;
        this.sequence = sequence;
        this.memory = memory;
        this.decorators = decorators;
        this.clock = clock;
        this.waiter = Schedulers.newSingle("spool-" + name.asString(), true);
    }

    /** Keys are the queue's name, a NUL, and the mail's sequence number (big-endian: key order is arrival order). */
    static byte[] keyPrefix(MailQueueName name) {
        byte[] nameBytes = name.asString().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[nameBytes.length + 1];
        System.arraycopy(nameBytes, 0, prefix, 0, nameBytes.length);
        return prefix;
    }

    private byte[] key(long sequenceNumber) {
        return ByteBuffer.allocate(keyPrefix.length + Long.BYTES).put(keyPrefix).putLong(sequenceNumber).array();
    }

    /** A record found at start-up. */
    void recover(long sequenceNumber, byte[] key, MailRecord.Summary summary) {
        schedule(new QueuedMail(sequenceNumber, key, summary));
    }

    @Override
    public MailQueueName getName() {
        return name;
    }

    @Override
    public void enQueue(Mail mail) throws MailQueueException {
        enQueue(mail, Duration.ZERO);
    }

    @Override
    public void enQueue(Mail mail, Duration delay) throws MailQueueException {
        if (closed) {
            throw new MailQueueException("The mail queue " + name.asString() + " is closed");
        }
        long now = clock.millis();
        long due = dueTime(now, delay);
        MailRecord.Encoded encoded;
        try {
            encoded = MailRecord.encode(mail, due, priorityOf(mail));
        } catch (MessagingException | IOException | RuntimeException e) {
            throw new MailQueueException("Cannot read mail " + mail.getName() + " to queue it in " + name.asString(), e);
        }
        long sequenceNumber = sequence.incrementAndGet();
        byte[] key = key(sequenceNumber);
        try {
            database.put(key, encoded.bytes());
        } catch (IOException e) {
            throw new MailQueueException("Cannot queue mail " + mail.getName() + " in " + name.asString(), e);
        }
        QueuedMail queued = new QueuedMail(sequenceNumber, key, encoded.summary());
        if (memory.tryReserve(encoded.bytes().length)) {
            try {
                queued.keepUnsent(MailRecord.copyOf(mail, encoded, sourceId(queued)));
            } catch (MessagingException | RuntimeException e) {
                memory.release(encoded.bytes().length);
                LOGGER.debug("Mail {} will be read back from the spool: {}", mail.getName(), e.getMessage());
            }
        }
        schedule(queued);
    }

    @Override
    public Publisher<Void> enqueueReactive(Mail mail) {
        return Mono.<Void>fromRunnable(() -> {
            try {
                enQueue(mail);
            } catch (MailQueueException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static long dueTime(long now, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            return now;
        }
        try {
            return Math.addExact(now, delay.toMillis());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** James' {@link MailPrioritySupport} attribute: 0 (low) to 9 (high), default 5; out of range is clamped. */
    private static int priorityOf(Mail mail) {
        return mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY)
            .flatMap(attribute -> attribute.getValue().valueAs(Integer.class))
            .map(priority -> Math.max(MailPrioritySupport.LOW_PRIORITY, Math.min(MailPrioritySupport.HIGH_PRIORITY, priority)))
            .orElse(MailPrioritySupport.NORMAL_PRIORITY);
    }

    private void schedule(QueuedMail queued) {
        lock.lock();
        try {
            if (queued.dueMillis() <= clock.millis()) {
                ready.add(queued);
            } else {
                delayed.add(queued);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Flux<MailQueueItem> deQueue() {
        return nextItem().repeat(() -> !closed);
    }

    /** The next due mail, waited for on a thread that may block; given back if the subscriber left meanwhile. */
    private Mono<MailQueueItem> nextItem() {
        return Mono.<QueuedMail>create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> cancelled.set(true));
            try {
                QueuedMail next = take(cancelled);
                if (next == null) {
                    sink.success();
                } else if (cancelled.get()) {
                    giveBack(next);
                    sink.success();
                } else {
                    sink.success(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sink.success();
            }
        })
            .subscribeOn(waiter)
            .doOnDiscard(QueuedMail.class, this::giveBack)
            .flatMap(queued -> Mono.justOrEmpty(handOut(queued)));
    }

    private QueuedMail take(AtomicBoolean cancelled) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && !cancelled.get()) {
                long now = clock.millis();
                while (!delayed.isEmpty() && delayed.peek().dueMillis() <= now) {
                    ready.add(delayed.poll());
                }
                QueuedMail next = ready.poll();
                if (next != null) {
                    handedOut.put(next.sequence(), next);
                    return next;
                }
                long wait = delayed.isEmpty() ? MAX_WAIT_MILLIS : Math.min(MAX_WAIT_MILLIS, delayed.peek().dueMillis() - now);
                changed.await(Math.max(1, wait), TimeUnit.MILLISECONDS);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void giveBack(QueuedMail queued) {
        lock.lock();
        try {
            if (handedOut.remove(queued.sequence()) != null) {
                ready.add(queued);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private Optional<MailQueueItem> handOut(QueuedMail queued) {
        try {
            MailImpl mail = queued.unsent();
            if (mail != null) {
                queued.keepUnsent(null);
                memory.release(queued.summary().size());
            } else {
                mail = read(queued);
            }
            return Optional.of(decorators.decorate(new Item(queued, mail), name));
        } catch (IOException | MessagingException | RuntimeException e) {
            // kept on disk, out of circulation until the next start: handing it out again would fail the same way
            LOGGER.error("Spool: cannot read mail {} of queue {} (record {}): {}; it stays stored and is retried at the "
                + "next start", queued.summary().name(), name.asString(), queued.sequence(), e.getMessage(), e);
            lock.lock();
            try {
                handedOut.remove(queued.sequence());
            } finally {
                lock.unlock();
            }
            return Optional.empty();
        }
    }

    private MailImpl read(QueuedMail queued) throws IOException, MessagingException {
        byte[] record = database.get(queued.key());
        if (record == null) {
            throw new IOException("record missing");
        }
        return MailRecord.decode(record, sourceId(queued));
    }

    private String sourceId(QueuedMail queued) {
        return "spool:" + name.asString() + "/" + queued.sequence();
    }

    private void finish(QueuedMail queued, MailQueueItem.CompletionStatus status) throws MailQueueException {
        switch (status) {
            case SUCCESS -> {
                try {
                    database.delete(queued.key());
                } catch (IOException e) {
                    throw new MailQueueException("Cannot remove mail " + queued.summary().name() + " from "
                        + name.asString(), e);
                } finally {
                    forget(queued);
                }
            }
            case RETRY -> giveBack(queued);
            case REJECT -> {
                LOGGER.warn("Spool: mail {} of queue {} was rejected by its consumer; kept, retried in {} minutes",
                    queued.summary().name(), name.asString(), REJECT_DELAY_MINUTES);
                lock.lock();
                try {
                    if (handedOut.remove(queued.sequence()) != null) {
                        queued.dueAt(clock.millis() + TimeUnit.MINUTES.toMillis(REJECT_DELAY_MINUTES));
                        delayed.add(queued);
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
            default -> throw new MailQueueException("Unknown completion status " + status);
        }
    }

    private void forget(QueuedMail queued) {
        lock.lock();
        try {
            handedOut.remove(queued.sequence());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long getSize() {
        lock.lock();
        try {
            return ready.size() + delayed.size() + handedOut.size();
        } finally {
            lock.unlock();
        }
    }

    /** Makes every delayed mail due now. */
    @Override
    public long flush() {
        lock.lock();
        try {
            long now = clock.millis();
            int count = delayed.size();
            for (QueuedMail queued = delayed.poll(); queued != null; queued = delayed.poll()) {
                queued.dueAt(now);
                ready.add(queued);
            }
            changed.signalAll();
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Deletes every mail waiting in the queue (not those being processed). */
    @Override
    public long clear() throws MailQueueException {
        return removeWhere(queued -> true);
    }

    @Override
    public long remove(Type type, String value) throws MailQueueException {
        return switch (type) {
            case Name -> removeWhere(queued -> value.equals(queued.summary().name()));
            case Sender -> removeWhere(queued -> value.equals(queued.summary().sender()));
            case Recipient -> removeWhere(queued -> queued.summary().recipients().contains(value));
        };
    }

    private long removeWhere(Predicate<QueuedMail> condition) throws MailQueueException {
        List<QueuedMail> removed = new ArrayList<>();
        lock.lock();
        try {
            for (PriorityQueue<QueuedMail> waiting : List.of(ready, delayed)) {
                waiting.removeIf(queued -> {
                    if (condition.test(queued)) {
                        removed.add(queued);
                        return true;
                    }
                    return false;
                });
            }
        } finally {
            lock.unlock();
        }
        for (QueuedMail queued : removed) {
            MailImpl unsent = queued.unsent();
            if (unsent != null) {
                queued.keepUnsent(null);
                memory.release(queued.summary().size());
                LifecycleUtil.dispose(unsent);
            }
            try {
                database.delete(queued.key());
            } catch (IOException e) {
                throw new MailQueueException("Cannot remove mail " + queued.summary().name() + " from " + name.asString(), e);
            }
        }
        return removed.size();
    }

    /**
     * The waiting mails (not those being processed) in the order they would be handed out (due ones by priority and
     * arrival, then delayed ones by due time), read from disk as the iterator goes.
     */
    @Override
    public MailQueueIterator browse() {
        List<QueuedMail> waiting;
        lock.lock();
        try {
            List<QueuedMail> due = new ArrayList<>(ready);
            due.sort(READY_ORDER);
            List<QueuedMail> later = new ArrayList<>(delayed);
            later.sort(DUE_ORDER);
            waiting = new ArrayList<>(due);
            waiting.addAll(later);
        } finally {
            lock.unlock();
        }
        return new Browser(waiting.iterator());
    }

    /**
     * Does nothing: a queue is shared by everyone who got it from the factory, and James' components close what they
     * got (WebAdmin after each request, for one); the factory stops the queues when the server stops.
     */
    @Override
    public void close() {
    }

    /** Stops handing out mail (the factory's close). */
    void shutdown() {
        closed = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        waiter.dispose();
    }

    private final class Browser implements MailQueueIterator {
        private final Iterator<QueuedMail> waiting;
        private MailQueueItemView next;

        private Browser(Iterator<QueuedMail> waiting) {
            this.waiting = waiting;
        }

        @Override
        public boolean hasNext() {
            while (next == null && waiting.hasNext()) {
                QueuedMail queued = waiting.next();
                try {
                    byte[] record = database.get(queued.key());
                    if (record != null) {
                        ZonedDateTime due = Instant.ofEpochMilli(queued.dueMillis()).atZone(ZoneOffset.UTC);
                        next = new DefaultMailQueueItemView(MailRecord.decode(record, sourceId(queued)), due);
                    }
                } catch (IOException | MessagingException | RuntimeException e) {
                    LOGGER.warn("Spool: cannot read mail {} of queue {} while browsing: {}", queued.summary().name(),
                        name.asString(), e.getMessage());
                }
            }
            return next != null;
        }

        @Override
        public MailQueueItemView next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            MailQueueItemView view = next;
            next = null;
            return view;
        }

        @Override
        public void close() {
            // nothing held open: records are read one by one
        }
    }

    /** A mail handed out; {@code done} counts once. */
    private final class Item implements MailQueueItem {
        private final QueuedMail queued;
        private final Mail mail;
        private final AtomicBoolean done = new AtomicBoolean();

        private Item(QueuedMail queued, Mail mail) {
            this.queued = queued;
            this.mail = mail;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueueException {
            if (done.compareAndSet(false, true)) {
                finish(queued, status);
            }
        }
    }
}
