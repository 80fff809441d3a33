package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageWithAttachmentMapperTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMessageWithAttachmentMapperTest extends MessageWithAttachmentMapperTest {
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
    protected MapperProvider createMapperProvider() {
        return provider();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
