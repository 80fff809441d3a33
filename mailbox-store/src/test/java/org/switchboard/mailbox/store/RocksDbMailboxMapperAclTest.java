package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperACLTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMailboxMapperAclTest extends MailboxMapperACLTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MailboxMapper createMailboxMapper() {
        return store.provider().createMailboxMapper();
    }
}
