package org.switchboard.mailbox.store;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.model.AnnotationMapperTest;
import org.junit.jupiter.api.extension.RegisterExtension;

class RocksDbAnnotationMapperTest extends AnnotationMapperTest {
    @RegisterExtension
    final RocksDbMapperProviderExtension store = new RocksDbMapperProviderExtension();

    @Override
    protected AnnotationMapper createAnnotationMapper() {
        return store.provider().createAnnotationMapper();
    }

    @Override
    protected MailboxId generateMailboxId() {
        return store.provider().generateId();
    }
}
