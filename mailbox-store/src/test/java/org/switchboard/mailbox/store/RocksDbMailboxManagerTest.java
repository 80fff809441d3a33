package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.util.Optional;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxManagerTest;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** James' mailbox manager contract over the RocksDB store, wired as the server wires it. */
class RocksDbMailboxManagerTest extends MailboxManagerTest<RocksDbMailboxManager> {
    @TempDir
    Path directory;
    private RocksDbIntegrationResources resources;

    @Override
    protected RocksDbMailboxManager provideMailboxManager() {
        if (resources == null) {
            resources = RocksDbIntegrationResources.create(directory, RocksDbIntegrationResources.inVmEventBus(),
                Optional.empty(), preDeletionHooks());
        }
        return resources.mailboxManager();
    }

    @Override
    protected SubscriptionManager provideSubscriptionManager() {
        RocksDbMailboxManager mailboxManager = provideMailboxManager();
        return new StoreSubscriptionManager(mailboxManager.getMapperFactory(), mailboxManager.getMapperFactory(),
            mailboxManager.getEventBus());
    }

    @Override
    protected EventBus retrieveEventBus(RocksDbMailboxManager mailboxManager) {
        return mailboxManager.getEventBus();
    }

    @AfterEach
    void closeStore() {
        resources.close();
    }
}
