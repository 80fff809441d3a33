package org.switchboard.mailbox.store;

import java.nio.file.Path;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.model.AnnotationMapperTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbAnnotationMapperTest extends AnnotationMapperTest {
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
    protected AnnotationMapper createAnnotationMapper() {
        return provider().createAnnotationMapper();
    }

    @Override
    protected MailboxId generateMailboxId() {
        return provider().generateId();
    }

    @AfterEach
    void closeStore() {
        provider.close();
    }
}
