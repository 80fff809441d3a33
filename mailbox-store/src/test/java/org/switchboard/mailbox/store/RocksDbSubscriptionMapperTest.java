package org.switchboard.mailbox.store;

import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.SubscriptionMapperTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbSubscriptionMapperTest extends SubscriptionMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected SubscriptionMapper createSubscriptionMapper() {
        return store.provider().createSubscriptionMapper();
    }
}
