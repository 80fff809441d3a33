package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.store.AbstractMessageIdManagerStorageTest;
import org.apache.james.mailbox.store.MessageIdManagerTestSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMessageIdManagerStorageTest extends AbstractMessageIdManagerStorageTest {
    @TempDir
    Path directory;
    private RocksDbIntegrationResources resources;

    @Override
    protected MessageIdManagerTestSystem createTestingData() {
        resources = RocksDbIntegrationResources.create(directory, RocksDbIntegrationResources.inVmEventBus(),
            Optional.empty(), Set.of());
        return resources.messageIdManagerTestSystem();
    }

    @AfterEach
    void closeStore() {
        resources.close();
    }
}
