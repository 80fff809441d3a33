package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.AbstractMessageManagerTest;
import org.apache.james.mailbox.store.MessageManagerTestSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMessageManagerTest extends AbstractMessageManagerTest {
    @TempDir
    Path directory;
    private RocksDbIntegrationResources resources;

    @BeforeEach
    void setUp() throws Exception {
        resources = RocksDbIntegrationResources.create(directory, RocksDbIntegrationResources.inVmEventBus(),
            Optional.empty(), Set.of());
        super.setup(new MessageManagerTestSystem(resources.mailboxManager()) {
            @Override
            public Mailbox createMailbox(MailboxPath mailboxPath, MailboxSession session) throws MailboxException {
                return resources.createMailbox(mailboxPath, session);
            }
        });
    }

    @AfterEach
    void closeStore() {
        resources.close();
    }
}
