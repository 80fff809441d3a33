package org.switchboard.server.mailbox.search;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

import org.apache.james.events.EventBusTestFixture;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.manager.ManagerTestProvisionner;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.FixedMaxQuotaManager;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.utils.UpdatableTickingClock;
import org.switchboard.mailbox.store.RocksDbAttachmentContentLoader;
import org.switchboard.mailbox.store.RocksDbCurrentQuotaManager;
import org.switchboard.mailbox.store.RocksDbMailboxId;
import org.switchboard.mailbox.store.RocksDbMailboxManager;
import org.switchboard.mailbox.store.RocksDbMailboxSessionMapperFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.mailbox.store.RocksDbMessageId;

/**
 * The RocksDB store with the search index wired as the server wires them (the index registered on the event bus,
 * the store's manager searching through it), in two directories a test chooses, so that a test can "crash"
 * (drop the system without closing the index) and open the same directories again.
 */
final class IndexedRocksDbSystem implements AutoCloseable {
    final RocksDbMailboxStore store;
    final RocksDbMailboxManager mailboxManager;
    final StoreMessageIdManager messageIdManager;
    final IndexedMessageSearch index;
    final InVMEventBus eventBus;

    IndexedRocksDbSystem(Path storeDirectory, Path indexDirectory, IndexSettings settings) throws Exception {
        eventBus = new InVMEventBus(new InVmEventDelivery(new RecordingMetricFactory()),
            EventBusTestFixture.RETRY_BACKOFF_CONFIGURATION, new MemoryEventDeadLetters());
        store = RocksDbMailboxStore.open(storeDirectory);
        UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
        RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, clock);
        FakeAuthenticator authenticator = new FakeAuthenticator();
        authenticator.addUser(ManagerTestProvisionner.USER, ManagerTestProvisionner.USER_PASS);
        authenticator.addUser(ManagerTestProvisionner.OTHER_USER, ManagerTestProvisionner.OTHER_USER_PASS);
        SessionProviderImpl sessions = new SessionProviderImpl(authenticator, FakeAuthorizator.defaultReject());
        StoreRightManager rights = new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
        StoreMailboxAnnotationManager annotations = new StoreMailboxAnnotationManager(mappers, rights, 3, 30);
        DefaultUserQuotaRootResolver quotaRoots = new DefaultUserQuotaRootResolver(sessions, mappers);
        FixedMaxQuotaManager maxQuotas = new FixedMaxQuotaManager();
        StoreQuotaManager quotas = new StoreQuotaManager(new RocksDbCurrentQuotaManager(store), maxQuotas);
        SimpleMessageSearchIndex scanner = new SimpleMessageSearchIndex(mappers, mappers, new DefaultTextExtractor(),
            new RocksDbAttachmentContentLoader(mappers));
        index = new IndexedMessageSearch(mappers, sessions, new RocksDbMailboxId.Factory(), new RocksDbMessageId.Factory(),
            scanner, indexDirectory, settings);
        eventBus.register(index);
        PreDeletionHooks hooks = new PreDeletionHooks(Set.of(), new RecordingMetricFactory());
        mailboxManager = new RocksDbMailboxManager(mappers, sessions, new NoMailboxPathLocker(), new MessageParser(),
            new RocksDbMessageId.Factory(), eventBus, annotations, rights, new QuotaComponents(maxQuotas, quotas, quotaRoots),
            index, MailboxManagerConfiguration.DEFAULT, hooks, new NaiveThreadIdGuessingAlgorithm(), clock);
        messageIdManager = new StoreMessageIdManager(rights, mappers, eventBus, quotas, quotaRoots, hooks);
    }

    /** An orderly stop: the index is committed and marked clean, then the store closes. */
    @Override
    public void close() throws Exception {
        index.close();
        store.close();
    }
}
