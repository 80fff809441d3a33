package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMoveTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMessageMoveTest extends MessageMoveTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MapperProvider createMapperProvider() {
        return store.provider();
    }
}
