package org.switchboard.mailbox.store;

import java.time.Clock;
import java.util.EnumSet;

import javax.inject.Inject;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

/** James' mailbox manager over the RocksDB store, with what the store supports (ACLs are persisted). */
public class RocksDbMailboxManager extends StoreMailboxManager {
    public static final EnumSet<MailboxCapabilities> MAILBOX_CAPABILITIES = EnumSet.of(
        MailboxCapabilities.Move,
        MailboxCapabilities.UserFlag,
        MailboxCapabilities.Namespace,
        MailboxCapabilities.Annotation,
        MailboxCapabilities.ACL,
        MailboxCapabilities.Quota);
    public static final EnumSet<MessageCapabilities> MESSAGE_CAPABILITIES = EnumSet.of(MessageCapabilities.UniqueID);

    /** The event bus of the message managers: appends to a mailbox are announced in UID order. */
    private final EventBus messageEvents;

    @Inject
    public RocksDbMailboxManager(RocksDbMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                 MailboxPathLocker locker, MessageParser messageParser, MessageId.Factory messageIdFactory,
                                 EventBus eventBus, StoreMailboxAnnotationManager annotationManager,
                                 StoreRightManager storeRightManager, QuotaComponents quotaComponents,
                                 MessageSearchIndex searchIndex, MailboxManagerConfiguration configuration,
                                 PreDeletionHooks preDeletionHooks, ThreadIdGuessingAlgorithm threadIdGuessingAlgorithm,
                                 Clock clock) {
        super(mapperFactory, sessionProvider, locker, messageParser, messageIdFactory, annotationManager, eventBus,
            storeRightManager, quotaComponents, searchIndex, configuration, preDeletionHooks, threadIdGuessingAlgorithm,
            clock);
        this.messageEvents = new UidOrderedEventBus(eventBus, mapperFactory.addedEvents());
    }

    @Override
    public EnumSet<MailboxCapabilities> getSupportedMailboxCapabilities() {
        return MAILBOX_CAPABILITIES;
    }

    @Override
    public EnumSet<MessageCapabilities> getSupportedMessageCapabilities() {
        return MESSAGE_CAPABILITIES;
    }

    @Override
    protected StoreMessageManager createMessageManager(Mailbox mailbox, MailboxSession session) {
        return new RocksDbMessageManager(getMapperFactory(), getMessageSearchIndex(), messageEvents, getLocker(), mailbox,
            getQuotaComponents().getQuotaManager(), getQuotaComponents().getQuotaRootResolver(), getMessageIdFactory(),
            configuration.getBatchSizes(), getStoreRightManager(), getPreDeletionHooks(), getThreadIdGuessingAlgorithm(),
            getClock());
    }
}
