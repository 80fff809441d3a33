package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageWithAttachmentMapperTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMessageWithAttachmentMapperTest extends MessageWithAttachmentMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MapperProvider createMapperProvider() {
        return store.provider();
    }
}
