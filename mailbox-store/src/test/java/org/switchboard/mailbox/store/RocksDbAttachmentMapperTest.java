package org.switchboard.mailbox.store;

import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.model.AttachmentMapperTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbAttachmentMapperTest extends AttachmentMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected AttachmentMapper createAttachmentMapper() {
        return store.provider().createAttachmentMapper();
    }

    @Override
    protected MessageId generateMessageId() {
        return store.provider().generateMessageId();
    }
}
