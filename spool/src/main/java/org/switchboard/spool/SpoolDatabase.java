package org.switchboard.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;

import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The spool's durable storage: one RocksDB database, one key per queued mail.
 *
 * <p>A queued mail is written with a synced write: when {@link #put} returns, the mail is on disk. Concurrent
 * writers (SMTP sessions) join RocksDB's write groups, so one fsync covers the mails of many sessions. Deletions
 * (a mail that left its queue) are not synced: the next synced write persists them with it, and a deletion lost to
 * a crash only hands the mail out again, which the Message Store's delivery keys make harmless.
 */
final class SpoolDatabase implements AutoCloseable {
    private static final long WRITE_BUFFER_BYTES = 32L * 1024 * 1024;

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private final WriteOptions synced;
    private final WriteOptions unsynced = new WriteOptions().setSync(false);
    /** Held shared by every operation and exclusively by close: no call reaches a closed (freed) native database. */
    private final ReadWriteLock openLock = new ReentrantReadWriteLock();
    private boolean closed;

    private SpoolDatabase(Options options, RocksDB db, boolean synced) {
        this.options = options;
        this.db = db;
        this.synced = new WriteOptions().setSync(synced);
    }

    /** @param synced false only to measure what the spool's fsyncs cost (benchmarks): a crash then loses mail */
    static SpoolDatabase open(Path directory, boolean synced) throws IOException {
        Files.createDirectories(directory);
        Options options = new Options()
            .setCreateIfMissing(true)
            // mail bodies compress poorly and are short-lived here: spare the CPU
            .setCompressionType(CompressionType.NO_COMPRESSION)
            // a queued mail rarely outlives its memtable: large messages go to blob files instead of being
            // rewritten by compactions
            .setEnableBlobFiles(true)
            .setMinBlobSize(64 * 1024)
            // two memtables of 32 MiB (not the default 64): some thousands of queued 4 KiB mails each, and 64 MiB less
            // resident memory
            .setWriteBufferSize(WRITE_BUFFER_BYTES)
            .setKeepLogFileNum(3);
        try {
            return new SpoolDatabase(options, RocksDB.open(options, directory.toString()), synced);
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("Cannot open the spool in " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Writes the record and returns once it is on disk. */
    void put(byte[] key, byte[] value) throws IOException {
        Lock open = whileOpen();
        try {
            db.put(synced, key, value);
        } catch (RocksDBException e) {
            throw new IOException("Cannot write to the spool: " + e.getMessage(), e);
        } finally {
            open.unlock();
        }
    }

    byte[] get(byte[] key) throws IOException {
        Lock open = whileOpen();
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new IOException("Cannot read the spool: " + e.getMessage(), e);
        } finally {
            open.unlock();
        }
    }

    void delete(byte[] key) throws IOException {
        Lock open = whileOpen();
        try {
            db.delete(unsynced, key);
        } catch (RocksDBException e) {
            throw new IOException("Cannot delete from the spool: " + e.getMessage(), e);
        } finally {
            open.unlock();
        }
    }

    private Lock whileOpen() throws IOException {
        Lock open = openLock.readLock();
        open.lock();
        if (closed) {
            open.unlock();
            throw new IOException("The spool is closed");
        }
        return open;
    }

    /** Every record, in key order. */
    void forEach(BiConsumer<byte[], byte[]> action) {
        try (RocksIterator iterator = db.newIterator()) {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
                action.accept(iterator.key(), iterator.value());
            }
        }
    }

    @Override
    public void close() {
        Lock exclusive = openLock.writeLock();
        exclusive.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                // closing anyway: every queued mail was synced when it was written
            }
            db.close();
            synced.close();
            unsynced.close();
            options.close();
        } finally {
            exclusive.unlock();
        }
    }
}
