package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.SubscriptionMapperTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbSubscriptionMapperTest extends SubscriptionMapperTest {
    @TempDir
    Path directory;
    private RocksDbMapperProvider provider;

    private RocksDbMapperProvider provider() {
        if (provider == null) {
            provider = new RocksDbMapperProvider(directory);
        }
        return provider;
    }

    @Override
    protected SubscriptionMapper createSubscriptionMapper() {
        return provider().createSubscriptionMapper();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
