package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.mailbox.store.quota.CurrentQuotaManagerContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
}
