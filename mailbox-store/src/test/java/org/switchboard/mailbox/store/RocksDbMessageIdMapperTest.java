package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageIdMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMessageIdMapperTest extends MessageIdMapperTest {
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
    protected MapperProvider provideMapper() {
        return provider();
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return provider().clock();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
