package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMessageMapperTest extends MessageMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MapperProvider createMapperProvider() {
        return store.provider();
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return store.provider().clock();
    }
}
