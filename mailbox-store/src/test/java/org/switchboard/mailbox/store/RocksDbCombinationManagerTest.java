package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.AbstractCombinationManagerTest;
import org.apache.james.mailbox.store.CombinationManagerTestSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbCombinationManagerTest extends AbstractCombinationManagerTest {
    @TempDir
    Path directory;
    private RocksDbIntegrationResources resources;

    @Override
    protected CombinationManagerTestSystem createTestingData() {
        resources = RocksDbIntegrationResources.create(directory, RocksDbIntegrationResources.inVmEventBus(),
            Optional.empty(), Set.of());
        RocksDbMailboxManager mailboxManager = resources.mailboxManager();
        return new CombinationManagerTestSystem(mailboxManager, resources.messageIdManager()) {
            @Override
            public MessageManager createMessageManager(Mailbox mailbox, MailboxSession session) {
                return mailboxManager.createMessageManager(mailbox, session);
            }

            @Override
            public Mailbox createMailbox(MailboxPath mailboxPath, MailboxSession session) throws MailboxException {
                return resources.createMailbox(mailboxPath, session);
            }
        };
    }

    @AfterEach
    void closeStore() {
        resources.close();
    }
}
