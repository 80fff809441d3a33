package org.switchboard.mailbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.store.quota.CurrentQuotaManagerContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbCurrentQuotaManagerTest implements CurrentQuotaManagerContract {
    @TempDir
    Path directory;
    private RocksDbMailboxStore store;
    private RocksDbCurrentQuotaManager quotas;

    @BeforeEach
    void open() throws Exception {
        store = RocksDbMailboxStore.open(directory);
        quotas = new RocksDbCurrentQuotaManager(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    public CurrentQuotaManager testee() {
        return quotas;
    }

    /** Far more changes than the merges the engine keeps before writing the sum, from threads side by side. */
    @Test
    void concurrentChangesAddUpAcrossMergeFolding() throws Exception {
        QuotaRoot root = QuotaRoot.quotaRoot("#private&folding@example.com", Optional.of(Domain.of("example.com")));
        int threads = 8;
        int perThread = 50 * (int) RocksDbMailboxStore.MAX_SUCCESSIVE_QUOTA_MERGES;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> changes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            changes.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    quotas.increase(new QuotaOperation(root, QuotaCountUsage.count(1), QuotaSizeUsage.size(100))).block();
                    if (thread % 2 == 0 && i % 3 == 0) {
                        quotas.decrease(new QuotaOperation(root, QuotaCountUsage.count(1), QuotaSizeUsage.size(100))).block();
                    }
                }
                return null;
            }));
        }
        for (Future<?> change : changes) {
            change.get();
        }
        pool.shutdown();

        long decreases = (threads / 2) * ((perThread + 2) / 3);
        long count = (long) threads * perThread - decreases;
        assertThat(quotas.getCurrentQuotas(root).block())
            .isEqualTo(new CurrentQuotas(QuotaCountUsage.count(count), QuotaSizeUsage.size(count * 100)));
    }
}
