package org.switchboard.mailbox.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.UInt64AddOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

import com.google.common.base.Preconditions;
import com.google.common.util.concurrent.Striped;

/**
 * The RocksDB database behind the mailbox mappers: one column family per kind of record, one synced
 * {@link WriteBatch} per mutation.
 *
 * <p>Durability and speed: every batch is written with {@code sync=true}. RocksDB makes the first of the threads
 * waiting to write the leader of a write group that appends all their batches to the write-ahead log and syncs it
 * once, so concurrent deliveries (to different mailboxes) share one fsync. Writers of one mailbox are serialised by a
 * per-mailbox lock held from UID allocation to the end of the synced write: UIDs then become visible in ascending
 * order, which IMAP clients that resynchronise from UIDNEXT rely on, and the counters stored in the same batch are
 * exact whenever a reader looks. Appends that wait for the lock of a mailbox are written together by the thread that
 * gets it ({@link CombinedAppends}), so deliveries to one mailbox share fsyncs as well.
 *
 * <p>Message octets are kept exactly as received in the {@code contents} column family, one value per message. A
 * large body as one value is fine here: messages are bounded by the SMTP size limit (50 MiB), the value reaches the
 * disk through the same synced log write as its metadata, and the column family keeps values above
 * {@link #BLOB_THRESHOLD_BYTES} in RocksDB's blob files, so compactions move only small references instead of
 * rewriting message bodies.
 */
public final class RocksDbMailboxStore implements AutoCloseable {
    static final long BLOB_THRESHOLD_BYTES = 8 * 1024;
    /**
     * Memory of the store, shared by its column families: memtables at most {@link #MEMTABLE_BUDGET_BYTES} in all
     * (the engine flushes the largest when they reach it), charged with the data blocks read to one cache. Left to
     * the defaults, each of the 14 column families could keep two 64 MiB memtables and a 32 MiB block cache of its own:
     * a few hundred MiB of resident memory after some thousands of deliveries, beside the JVM's heap.
     */
    static final long MEMTABLE_BUDGET_BYTES = 64L * 1024 * 1024;
    static final long CACHE_BYTES = 96L * 1024 * 1024;
    private static final int LOCK_STRIPES = 1024;
    private static final UInt64AddOperator QUOTA_ADDITION;
    static final long MAX_SUCCESSIVE_QUOTA_MERGES = 32;
    private static final BloomFilter KEY_FILTER;
    private static final byte[] LAST_MAILBOX_ID = Keys.utf8("last-mailbox-id");

    /** The column families. */
    enum Table {
        MAILBOXES("mailboxes"),
        MAILBOX_PATHS("mailbox-paths"),
        ACLS("acls"),
        COUNTERS("counters"),
        MESSAGES("messages"),
        MESSAGES_BY_ID("messages-by-id"),
        CONTENTS("contents"),
        SUBSCRIPTIONS("subscriptions"),
        ANNOTATIONS("annotations"),
        ATTACHMENTS("attachments"),
        DELIVERIES("deliveries"),
        QUOTAS("quotas"),
        SEQUENCES("sequences");

        private final String columnFamily;

        Table(String columnFamily) {
            this.columnFamily = columnFamily;
        }
    }

    static {
        RocksDB.loadLibrary();
        QUOTA_ADDITION = new UInt64AddOperator();
        KEY_FILTER = new BloomFilter(10);
    }

    private final RocksDB db;
    private final DBOptions dbOptions;
    private final Cache cache;
    private final WriteBufferManager memtableBudget;
    private final List<ColumnFamilyOptions> columnFamilyOptions;
    private final List<ColumnFamilyHandle> handles;
    private final Map<Table, ColumnFamilyHandle> tables;
    private final WriteOptions syncedWrite;
    private final WriteOptions unsyncedWrite = new WriteOptions().setSync(false);
    private final AtomicLong lastMailboxId;
    private final AddedEventsInUidOrder addedEvents = new AddedEventsInUidOrder();
    private final Striped<Lock> mailboxLocks = Striped.lock(LOCK_STRIPES);
    private final Striped<Lock> messageLocks = Striped.lock(LOCK_STRIPES);
    private final Lock catalogLock = new ReentrantLock();
    /** Readers and writers hold it shared; closing takes it exclusively, so no call reaches a closed database. */
    private final ReadWriteLock openLock = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksDbMailboxStore(RocksDB db, DBOptions dbOptions, Cache cache, WriteBufferManager memtableBudget,
                                List<ColumnFamilyOptions> columnFamilyOptions, List<ColumnFamilyHandle> handles,
                                boolean synced) {
        this.db = db;
        this.dbOptions = dbOptions;
        this.cache = cache;
        this.memtableBudget = memtableBudget;
        this.columnFamilyOptions = columnFamilyOptions;
        this.handles = handles;
        this.tables = new EnumMap<>(Table.class);
        for (Table table : Table.values()) {
            tables.put(table, handles.get(table.ordinal() + 1));
        }
        this.syncedWrite = new WriteOptions().setSync(synced);
        this.lastMailboxId = new AtomicLong(readLastMailboxId());
    }

    /** Opens (creating if needed) the store in {@code directory}. */
    public static RocksDbMailboxStore open(Path directory) throws MailboxException {
        return open(directory, true);
    }

    /**
     * @param synced false only to measure what the store's fsyncs cost (benchmarks): writes then reach the disk
     *               when the operating system flushes them, and a crash loses them
     */
    public static RocksDbMailboxStore open(Path directory, boolean synced) throws MailboxException {
        try {
            Files.createDirectories(directory);
            Cache cache = new LRUCache(CACHE_BYTES);
            WriteBufferManager memtableBudget = new WriteBufferManager(MEMTABLE_BUDGET_BYTES, cache);
            DBOptions dbOptions = new DBOptions()
                .setWriteBufferManager(memtableBudget)
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setKeepLogFileNum(5);
            List<ColumnFamilyOptions> options = new ArrayList<>();
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            ColumnFamilyOptions defaultOptions = new ColumnFamilyOptions();
            options.add(defaultOptions);
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions));
            for (Table table : Table.values()) {
                // Bloom filters: looking up a key that is not there (a new message's id) reads no data block
                ColumnFamilyOptions tableOptions = new ColumnFamilyOptions()
                    .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(KEY_FILTER).setBlockCache(cache));
                if (table == Table.CONTENTS) {
                    tableOptions.setEnableBlobFiles(true)
                        .setMinBlobSize(BLOB_THRESHOLD_BYTES)
                        .setEnableBlobGarbageCollection(true);
                }
                if (table == Table.QUOTAS) {
                    // usage changes are merged (added) by the engine: concurrent deliveries need no read nor lock;
                    // every few merges the sum is written as a value, or each read of the counter would add up every
                    // change since the last memtable flush (perf: a quarter of the CPU of a delivery after 30,000)
                    tableOptions.setMergeOperator(QUOTA_ADDITION)
                        .setMaxSuccessiveMerges(MAX_SUCCESSIVE_QUOTA_MERGES);
                }
                options.add(tableOptions);
                descriptors.add(new ColumnFamilyDescriptor(Keys.utf8(table.columnFamily), tableOptions));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            return new RocksDbMailboxStore(db, dbOptions, cache, memtableBudget, options, handles, synced);
        } catch (RocksDBException | IOException e) {
            throw new MailboxException("Cannot open the mailbox store in " + directory, e);
        }
    }

    /** A new mailbox id, stored in {@code batch} as the last one given: ids are never given twice. */
    RocksDbMailboxId allocateMailboxId(Batch batch) throws MailboxException {
        long id = lastMailboxId.incrementAndGet();
        batch.put(Table.SEQUENCES, LAST_MAILBOX_ID, Keys.mailbox(RocksDbMailboxId.of(id)));
        return RocksDbMailboxId.of(id);
    }

    /** The lock that serialises the writers of one mailbox (see the class comment). */
    Lock lockOf(MailboxId mailboxId) {
        return mailboxLocks.get(mailboxId);
    }

    /** The locks of several mailboxes, in an order that every caller shares (no deadlock). */
    Iterable<Lock> locksOf(List<MailboxId> mailboxIds) {
        return mailboxLocks.bulkGet(mailboxIds);
    }

    /** The lock that keeps mailbox paths unique while mailboxes are created and renamed. */
    Lock catalogLock() {
        return catalogLock;
    }

    byte[] get(Table table, byte[] key) throws MailboxException {
        Lock open = whileOpen();
        try {
            return db.get(tables.get(table), key);
        } catch (RocksDBException e) {
            throw new MailboxException("Cannot read the mailbox store", e);
        } finally {
            open.unlock();
        }
    }

    boolean contains(Table table, byte[] key) {
        Lock open = whileOpen();
        try {
            return db.keyExists(tables.get(table), key);
        } finally {
            open.unlock();
        }
    }

    /**
     * Visits the records of {@code table} whose keys start with {@code prefix}, from {@code from} on, in key order,
     * until the visitor returns false.
     */
    void scan(Table table, byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        Lock open = whileOpen();
        try (RocksIterator iterator = db.newIterator(tables.get(table))) {
            for (iterator.seek(from); iterator.isValid(); iterator.next()) {
                byte[] key = iterator.key();
                if (!Keys.startsWith(key, prefix) || !visitor.test(key, iterator.value())) {
                    return;
                }
            }
        } finally {
            open.unlock();
        }
    }

    void scan(Table table, byte[] prefix, BiPredicate<byte[], byte[]> visitor) {
        scan(table, prefix, prefix, visitor);
    }

    /**
     * Forgets the delivery keys recorded before {@code instant}: a spool retries a delivery within hours or days,
     * so keys older than any retry can be dropped instead of growing with every delivered message.
     */
    public void forgetDeliveriesRecordedBefore(Instant instant) throws MailboxException {
        List<byte[]> expired = new ArrayList<>();
        scan(Table.DELIVERIES, new byte[0], (key, value) -> {
            if (DeliveryRecord.decode(value).recordedAtMillis() < instant.toEpochMilli()) {
                expired.add(key);
            }
            return true;
        });
        commit(batch -> {
            for (byte[] key : expired) {
                batch.delete(Table.DELIVERIES, key);
            }
        });
    }

    /** Changes written by {@link #commit(Change)}. */
    interface Change {
        void applyTo(Batch batch) throws MailboxException;
    }

    /** Writes one change in its own batch. */
    void commit(Change change) throws MailboxException {
        try (Batch batch = batch()) {
            change.applyTo(batch);
            batch.commit();
        }
    }

    /**
     * Writes one change in its own batch without waiting for the disk: it reaches the disk with the next synced
     * write of anyone (the log is sequential), or is lost by a crash before that. Only for data that can be
     * recomputed from what is synced (quota usage).
     */
    void commitUnsynced(Change change) throws MailboxException {
        try (Batch batch = batch()) {
            change.applyTo(batch);
            batch.commit(unsyncedWrite);
        }
    }

    /** The order in which the appends written to each mailbox are announced. */
    AddedEventsInUidOrder addedEvents() {
        return addedEvents;
    }

    /** A batch of changes, written atomically and durably by {@link Batch#commit()}. */
    Batch batch() {
        return new Batch();
    }

    final class Batch implements AutoCloseable {
        private final WriteBatch writeBatch = new WriteBatch();
        private final List<Lock> heldMessageLocks = new ArrayList<>();
        private final Set<ByteBuffer> deletedKeys = new HashSet<>();

        /**
         * Locks the shared octets of these messages until the batch is closed, so that a copy and the removal of
         * the last reference to the same octets cannot interleave. Called once per batch, with every message the
         * batch touches (the locks are taken in one global order: no deadlock), after the mailbox locks.
         */
        void lockMessages(Collection<MessageId> messageIds) {
            Preconditions.checkState(heldMessageLocks.isEmpty(), "Message locks are taken once per batch");
            messageLocks.bulkGet(messageIds).forEach(lock -> {
                lock.lock();
                heldMessageLocks.add(lock);
            });
        }

        /** Whether this batch deletes the key already (it is still readable from the store until the commit). */
        boolean deletes(Table table, byte[] key) {
            return deletedKeys.contains(tableKey(table, key));
        }

        Batch put(Table table, byte[] key, byte[] value) throws MailboxException {
            try {
                writeBatch.put(tables.get(table), key, value);
                return this;
            } catch (RocksDBException e) {
                throw new MailboxException("Cannot prepare a mailbox store write", e);
            }
        }

        /** Adds {@code value} (a little-endian 64-bit number) to the stored one: only for {@link Table#QUOTAS}. */
        Batch add(Table table, byte[] key, byte[] value) throws MailboxException {
            try {
                writeBatch.merge(tables.get(table), key, value);
                return this;
            } catch (RocksDBException e) {
                throw new MailboxException("Cannot prepare a mailbox store write", e);
            }
        }

        Batch delete(Table table, byte[] key) throws MailboxException {
            try {
                writeBatch.delete(tables.get(table), key);
                deletedKeys.add(tableKey(table, key));
                return this;
            } catch (RocksDBException e) {
                throw new MailboxException("Cannot prepare a mailbox store write", e);
            }
        }

        void commit() throws MailboxException {
            commit(syncedWrite);
        }

        private void commit(WriteOptions options) throws MailboxException {
            Lock open = whileOpen();
            try {
                db.write(options, writeBatch);
            } catch (RocksDBException e) {
                throw new MailboxException("Cannot write to the mailbox store", e);
            } finally {
                open.unlock();
            }
        }

        @Override
        public void close() {
            writeBatch.close();
            heldMessageLocks.forEach(Lock::unlock);
        }

        private ByteBuffer tableKey(Table table, byte[] key) {
            return ByteBuffer.wrap(Keys.concat(new byte[] {(byte) table.ordinal()}, key));
        }
    }

    private long readLastMailboxId() {
        try {
            byte[] last = db.get(tables.get(Table.SEQUENCES), LAST_MAILBOX_ID);
            return last == null ? 0 : Keys.readLong(last);
        } catch (RocksDBException e) {
            throw new IllegalStateException("Cannot read the mailbox store's last mailbox id", e);
        }
    }

    private Lock whileOpen() {
        Lock open = openLock.readLock();
        open.lock();
        if (closed) {
            open.unlock();
            throw new IllegalStateException("The mailbox store is closed");
        }
        return open;
    }

    @Override
    public void close() {
        openLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            openLock.writeLock().unlock();
        }
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        syncedWrite.close();
        unsyncedWrite.close();
        dbOptions.close();
        columnFamilyOptions.forEach(ColumnFamilyOptions::close);
        memtableBudget.close();
        cache.close();
    }
}
