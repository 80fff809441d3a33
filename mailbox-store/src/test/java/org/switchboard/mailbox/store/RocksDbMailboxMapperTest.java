package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMailboxMapperTest extends MailboxMapperTest {
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
    protected MailboxMapper createMailboxMapper() {
        return provider().createMailboxMapper();
    }

    @Override
    protected MailboxId generateId() {
        return provider().generateId();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
