package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageIdMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbMessageIdMapperTest extends MessageIdMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected MapperProvider provideMapper() {
        return store.provider();
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return store.provider().clock();
    }
}
