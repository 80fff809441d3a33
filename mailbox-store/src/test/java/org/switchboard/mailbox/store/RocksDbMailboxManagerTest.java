package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.time.Instant;

import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusTestFixture;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.MailboxManagerTest;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.FixedMaxQuotaManager;
import org.apache.james.mailbox.store.quota.ListeningCurrentQuotaUpdater;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.utils.UpdatableTickingClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** James' mailbox manager contract over the RocksDB store, wired as the server wires it (no JVM path lock). */
class RocksDbMailboxManagerTest extends MailboxManagerTest<RocksDbMailboxManager> {
    private static final int LIMIT_ANNOTATIONS = 3;
    private static final int LIMIT_ANNOTATION_SIZE = 30;

    @TempDir
    Path directory;
    private RocksDbMailboxStore store;
    private RocksDbMailboxManager manager;

    @Override
    protected RocksDbMailboxManager provideMailboxManager() {
        if (manager == null) {
            manager = createManager();
        }
        return manager;
    }

    @Override
    protected SubscriptionManager provideSubscriptionManager() {
        RocksDbMailboxManager mailboxManager = provideMailboxManager();
        return new StoreSubscriptionManager(mailboxManager.getMapperFactory(), mailboxManager.getMapperFactory(),
            mailboxManager.getEventBus());
    }

    @Override
    protected EventBus retrieveEventBus(RocksDbMailboxManager mailboxManager) {
        return mailboxManager.getEventBus();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private RocksDbMailboxManager createManager() {
        try {
            store = RocksDbMailboxStore.open(directory);
        } catch (MailboxException e) {
            throw new IllegalStateException(e);
        }
        UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
        RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, clock);
        InVMEventBus eventBus = new InVMEventBus(new InVmEventDelivery(new RecordingMetricFactory()),
            EventBusTestFixture.RETRY_BACKOFF_CONFIGURATION, new MemoryEventDeadLetters());
        SessionProviderImpl sessionProvider = new SessionProviderImpl(new FakeAuthenticator(), FakeAuthorizator.defaultReject());
        StoreRightManager rightManager = new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
        StoreMailboxAnnotationManager annotationManager = new StoreMailboxAnnotationManager(mappers, rightManager,
            LIMIT_ANNOTATIONS, LIMIT_ANNOTATION_SIZE);
        DefaultUserQuotaRootResolver quotaRootResolver = new DefaultUserQuotaRootResolver(sessionProvider, mappers);
        RocksDbCurrentQuotaManager currentQuotaManager = new RocksDbCurrentQuotaManager(store);
        FixedMaxQuotaManager maxQuotaManager = new FixedMaxQuotaManager();
        StoreQuotaManager quotaManager = new StoreQuotaManager(currentQuotaManager, maxQuotaManager);
        SimpleMessageSearchIndex searchIndex = new SimpleMessageSearchIndex(mappers, mappers, new DefaultTextExtractor(),
            new RocksDbAttachmentContentLoader(mappers));

        RocksDbMailboxManager mailboxManager = new RocksDbMailboxManager(mappers, sessionProvider, new NoMailboxPathLocker(),
            new MessageParser(), new RocksDbMessageId.Factory(), eventBus, annotationManager, rightManager,
            new QuotaComponents(maxQuotaManager, quotaManager, quotaRootResolver), searchIndex,
            MailboxManagerConfiguration.DEFAULT, new PreDeletionHooks(preDeletionHooks(), new RecordingMetricFactory()),
            new NaiveThreadIdGuessingAlgorithm(), clock);
        eventBus.register(new ListeningCurrentQuotaUpdater(currentQuotaManager, quotaRootResolver, eventBus, quotaManager));
        eventBus.register(new MailboxAnnotationListener(mappers, sessionProvider));
        return mailboxManager;
    }
}
