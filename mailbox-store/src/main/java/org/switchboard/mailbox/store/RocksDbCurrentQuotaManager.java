package org.switchboard.mailbox.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import javax.inject.Inject;

import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import reactor.core.publisher.Mono;

/**
 * Current quota usage (message count and octets per quota root) in the RocksDB store, kept up to date by James'
 * {@code ListeningCurrentQuotaUpdater} from the mailbox events. Increases and decreases are merge operands that the
 * engine adds up, so concurrent deliveries to one quota root neither read nor wait for each other.
 *
 * <p>Usage is derived data: increases and decreases are written without a sync of their own (the delivery they follow
 * was synced; they reach the disk with the next synced write), which spares every delivery a second fsync. A crash can
 * lose the last few of them; WebAdmin's {@code RecomputeCurrentQuotas} task recomputes usage from the messages.
 */
public class RocksDbCurrentQuotaManager implements CurrentQuotaManager {
    private static final String COUNT = "count";
    private static final String SIZE = "size";

    private final RocksDbMailboxStore store;

    @Inject
    public RocksDbCurrentQuotaManager(RocksDbMailboxStore store) {
        this.store = store;
    }

    @Override
    public Mono<QuotaCountUsage> getCurrentMessageCount(QuotaRoot quotaRoot) {
        return Mono.fromCallable(() -> QuotaCountUsage.count(read(quotaRoot, COUNT)));
    }

    @Override
    public Mono<QuotaSizeUsage> getCurrentStorage(QuotaRoot quotaRoot) {
        return Mono.fromCallable(() -> QuotaSizeUsage.size(read(quotaRoot, SIZE)));
    }

    @Override
    public Mono<CurrentQuotas> getCurrentQuotas(QuotaRoot quotaRoot) {
        return Mono.fromCallable(() -> new CurrentQuotas(QuotaCountUsage.count(read(quotaRoot, COUNT)),
            QuotaSizeUsage.size(read(quotaRoot, SIZE))));
    }

    @Override
    public Mono<Void> increase(QuotaOperation operation) {
        return add(operation, 1);
    }

    @Override
    public Mono<Void> decrease(QuotaOperation operation) {
        return add(operation, -1);
    }

    @Override
    public Mono<Void> setCurrentQuotas(QuotaOperation operation) {
        return Mono.fromRunnable(() -> write(batch -> batch
            .put(Table.QUOTAS, key(operation.quotaRoot(), COUNT), encode(operation.count().asLong()))
            .put(Table.QUOTAS, key(operation.quotaRoot(), SIZE), encode(operation.size().asLong()))));
    }

    private Mono<Void> add(QuotaOperation operation, int sign) {
        return Mono.fromRunnable(() -> writeUnsynced(batch -> batch
            .add(Table.QUOTAS, key(operation.quotaRoot(), COUNT), encode(sign * operation.count().asLong()))
            .add(Table.QUOTAS, key(operation.quotaRoot(), SIZE), encode(sign * operation.size().asLong()))));
    }

    private void write(RocksDbMailboxStore.Change change) {
        try {
            store.commit(change);
        } catch (MailboxException e) {
            throw new IllegalStateException("Cannot write quota usage to the mailbox store", e);
        }
    }

    private void writeUnsynced(RocksDbMailboxStore.Change change) {
        try {
            store.commitUnsynced(change);
        } catch (MailboxException e) {
            throw new IllegalStateException("Cannot write quota usage to the mailbox store", e);
        }
    }

    private long read(QuotaRoot quotaRoot, String counter) throws MailboxException {
        byte[] value = store.get(Table.QUOTAS, key(quotaRoot, counter));
        return value == null ? 0 : ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] key(QuotaRoot quotaRoot, String counter) {
        return Keys.text(quotaRoot.getValue() + (char) Keys.SEPARATOR, counter);
    }

    /** The merge operator's encoding: little-endian; negative numbers wrap around as two's complement. */
    private static byte[] encode(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }
}
