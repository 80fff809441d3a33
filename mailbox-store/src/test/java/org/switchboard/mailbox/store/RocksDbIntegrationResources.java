package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusTestFixture;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.extension.PreDeletionHook;
import org.apache.james.mailbox.manager.ManagerTestProvisionner;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MessageIdManagerTestSystem;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
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

/**
 * A mailbox manager and a message-id manager over a RocksDB store in a temporary directory, wired as the server wires
 * them (no JVM path lock, quota usage in the store), for James' manager contract tests.
 */
final class RocksDbIntegrationResources implements AutoCloseable {
    private static final int LIMIT_ANNOTATIONS = 3;
    private static final int LIMIT_ANNOTATION_SIZE = 30;

    private final RocksDbMailboxStore store;
    private final RocksDbMailboxManager mailboxManager;
    private final StoreMessageIdManager messageIdManager;

    private RocksDbIntegrationResources(RocksDbMailboxStore store, RocksDbMailboxManager mailboxManager,
                                        StoreMessageIdManager messageIdManager) {
        this.store = store;
        this.mailboxManager = mailboxManager;
        this.messageIdManager = messageIdManager;
    }

    static InVMEventBus inVmEventBus() {
        return new InVMEventBus(new InVmEventDelivery(new RecordingMetricFactory()),
            EventBusTestFixture.RETRY_BACKOFF_CONFIGURATION, new MemoryEventDeadLetters());
    }

    /** With {@code quotaManager} empty, quota usage is kept in the store and limits are unlimited. */
    static RocksDbIntegrationResources create(Path directory, EventBus eventBus, Optional<QuotaManager> quotaManager,
                                              Set<PreDeletionHook> preDeletionHooks) {
        RocksDbMailboxStore store;
        try {
            store = RocksDbMailboxStore.open(directory);
        } catch (MailboxException e) {
            throw new IllegalStateException(e);
        }
        UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
        RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, clock);
        FakeAuthenticator authenticator = new FakeAuthenticator();
        authenticator.addUser(ManagerTestProvisionner.USER, ManagerTestProvisionner.USER_PASS);
        authenticator.addUser(ManagerTestProvisionner.OTHER_USER, ManagerTestProvisionner.OTHER_USER_PASS);
        SessionProviderImpl sessionProvider = new SessionProviderImpl(authenticator, FakeAuthorizator.defaultReject());
        StoreRightManager rightManager = new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
        StoreMailboxAnnotationManager annotationManager = new StoreMailboxAnnotationManager(mappers, rightManager,
            LIMIT_ANNOTATIONS, LIMIT_ANNOTATION_SIZE);
        DefaultUserQuotaRootResolver quotaRootResolver = new DefaultUserQuotaRootResolver(sessionProvider, mappers);
        RocksDbCurrentQuotaManager currentQuotaManager = new RocksDbCurrentQuotaManager(store);
        FixedMaxQuotaManager maxQuotaManager = new FixedMaxQuotaManager();
        QuotaManager quotas = quotaManager.orElseGet(() -> new StoreQuotaManager(currentQuotaManager, maxQuotaManager));
        SimpleMessageSearchIndex searchIndex = new SimpleMessageSearchIndex(mappers, mappers, new DefaultTextExtractor(),
            new RocksDbAttachmentContentLoader(mappers));
        PreDeletionHooks hooks = new PreDeletionHooks(preDeletionHooks, new RecordingMetricFactory());

        RocksDbMailboxManager mailboxManager = new RocksDbMailboxManager(mappers, sessionProvider, new NoMailboxPathLocker(),
            new MessageParser(), new RocksDbMessageId.Factory(), eventBus, annotationManager, rightManager,
            new QuotaComponents(maxQuotaManager, quotas, quotaRootResolver), searchIndex,
            MailboxManagerConfiguration.DEFAULT, hooks, new NaiveThreadIdGuessingAlgorithm(), clock);
        StoreMessageIdManager messageIdManager = new StoreMessageIdManager(rightManager, mappers, eventBus, quotas,
            quotaRootResolver, hooks);
        eventBus.register(new ListeningCurrentQuotaUpdater(currentQuotaManager, quotaRootResolver, eventBus, quotas));
        eventBus.register(new MailboxAnnotationListener(mappers, sessionProvider));
        return new RocksDbIntegrationResources(store, mailboxManager, messageIdManager);
    }

    RocksDbMailboxManager mailboxManager() {
        return mailboxManager;
    }

    /** Creates a mailbox through the manager, as James' test systems do, and returns what the store holds. */
    Mailbox createMailbox(MailboxPath path, MailboxSession session) throws MailboxException {
        mailboxManager.createMailbox(path, session);
        return mailboxManager.getMailbox(path, session).getMailboxEntity();
    }

    StoreMessageIdManager messageIdManager() {
        return messageIdManager;
    }

    MessageIdManagerTestSystem messageIdManagerTestSystem() {
        return new MessageIdManagerTestSystem(messageIdManager, new RocksDbMessageId.Factory(),
            mailboxManager.getMapperFactory(), mailboxManager);
    }

    @Override
    public void close() {
        store.close();
    }
}
