package org.switchboard.mailbox.store;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMailboxMapperTest extends MailboxMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MailboxMapper createMailboxMapper() {
        return store.provider().createMailboxMapper();
    }

    @Override
    protected MailboxId generateId() {
        return store.provider().generateId();
    }
}
