package org.switchboard.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * The spool and every other mail queue of the server, in one {@link SpoolDatabase}. At start-up the records are
 * read back (envelope and schedule only; messages stay on disk until handed out) and every queue found is
 * recreated with its mails in their order.
 */
public final class RocksDbMailQueueFactory implements MailQueueFactory<RocksDbMailQueue>, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(RocksDbMailQueueFactory.class);
    /** Queued messages kept in memory besides their disk copy, so that most are handed out without a read. */
    public static final long DEFAULT_MEMORY_BUDGET = 64L * 1024 * 1024;

    private final SpoolDatabase database;
    private final MailQueueItemDecoratorFactory decorators;
    private final Clock clock;
    private final MemoryBudget memory;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<MailQueueName, RocksDbMailQueue> queues = new ConcurrentHashMap<>();

    private RocksDbMailQueueFactory(SpoolDatabase database, MailQueueItemDecoratorFactory decorators, Clock clock,
                                    long memoryBudget) {
        this.database = database;
        this.decorators = decorators;
        this.clock = clock;
        this.memory = new MemoryBudget(memoryBudget);
    }

    public static RocksDbMailQueueFactory open(Path directory, MailQueueItemDecoratorFactory decorators, Clock clock,
                                               long memoryBudget) throws IOException {
        return open(directory, decorators, clock, memoryBudget, true);
    }

    /** @param synced false only to measure what the spool's fsyncs cost (benchmarks): a crash then loses mail */
    public static RocksDbMailQueueFactory open(Path directory, MailQueueItemDecoratorFactory decorators, Clock clock,
                                               long memoryBudget, boolean synced) throws IOException {
        RocksDbMailQueueFactory factory = new RocksDbMailQueueFactory(SpoolDatabase.open(directory, synced), decorators,
            clock, memoryBudget);
        factory.recover();
        return factory;
    }

    private void recover() {
        Map<String, Integer> counts = new TreeMap<>();
        database.forEach((key, value) -> {
            int separator = indexOfNul(key);
            if (separator < 0 || key.length != separator + 1 + Long.BYTES) {
                LOGGER.error("Spool: ignoring a record with an unexpected key ({} bytes)", key.length);
                return;
            }
            String queueName = new String(key, 0, separator, StandardCharsets.UTF_8);
            long sequenceNumber = ByteBuffer.wrap(key, separator + 1, Long.BYTES).getLong();
            sequence.accumulateAndGet(sequenceNumber, Math::max);
            try {
                MailRecord.Summary summary = MailRecord.summary(value);
                createQueue(MailQueueName.of(queueName)).recover(sequenceNumber, key, summary);
                counts.merge(queueName, 1, Integer::sum);
            } catch (IOException | RuntimeException e) {
                LOGGER.error("Spool: record {} of queue {} cannot be read ({}); it is left on disk untouched",
                    sequenceNumber, queueName, e.getMessage());
            }
        });
        if (!counts.isEmpty()) {
            LOGGER.info("Spool: mails waiting since the last run, by queue: {}", counts);
        }
    }

    private static int indexOfNul(byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Optional<RocksDbMailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return Optional.ofNullable(queues.get(name));
    }

    @Override
    public RocksDbMailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return queues.computeIfAbsent(name, any -> new RocksDbMailQueue(name, database, sequence, memory, decorators, clock));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return ImmutableSet.copyOf(queues.keySet());
    }

    /** Stops handing out mail and closes the database; every queued mail stays on disk. */
    @Override
    public void close() {
        queues.values().forEach(RocksDbMailQueue::shutdown);
        database.close();
    }
}
