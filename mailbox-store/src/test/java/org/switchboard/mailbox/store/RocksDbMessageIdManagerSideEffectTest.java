package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.extension.PreDeletionHook;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.store.AbstractMessageIdManagerSideEffectTest;
import org.apache.james.mailbox.store.MessageIdManagerTestSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMessageIdManagerSideEffectTest extends AbstractMessageIdManagerSideEffectTest {
    @TempDir
    Path directory;
    private RocksDbIntegrationResources resources;

    @Override
    protected MessageIdManagerTestSystem createTestSystem(QuotaManager quotaManager, EventBus eventBus,
                                                          Set<PreDeletionHook> preDeletionHooks) {
        resources = RocksDbIntegrationResources.create(directory, eventBus, Optional.of(quotaManager), preDeletionHooks);
        return resources.messageIdManagerTestSystem();
    }

    @AfterEach
    void closeStore() {
        resources.close();
    }
}
