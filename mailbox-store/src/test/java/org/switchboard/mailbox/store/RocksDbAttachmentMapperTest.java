package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.model.AttachmentMapperTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbAttachmentMapperTest extends AttachmentMapperTest {
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
    protected AttachmentMapper createAttachmentMapper() {
        return provider().createAttachmentMapper();
    }

    @Override
    protected MessageId generateMessageId() {
        return provider().generateMessageId();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
