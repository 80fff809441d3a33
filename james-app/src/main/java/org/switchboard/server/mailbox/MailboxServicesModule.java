package org.switchboard.server.mailbox;

import static org.apache.james.modules.Names.MAILBOXMANAGER_NAME;

import java.io.IOException;

import org.apache.james.adapter.mailbox.ACLUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.MailboxUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.QuotaUsernameChangeTaskStep;
import org.apache.james.adapter.mailbox.UserRepositoryAuthenticator;
import org.apache.james.adapter.mailbox.UserRepositoryAuthorizator;
import org.apache.james.events.EventListener;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.acl.MailboxACLResolver;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.indexer.ReIndexer;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootDeserializer;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.quota.UserQuotaRootResolver;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.extractor.JsoupTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.ListeningCurrentQuotaUpdater;
import org.apache.james.mailbox.store.quota.QuotaUpdater;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.quota.search.QuotaSearcher;
import org.apache.james.quota.search.scanning.ScanningQuotaSearcher;
import org.apache.james.user.api.UsernameChangeTaskStep;
import org.apache.mailbox.tools.indexer.ReIndexerImpl;
import org.switchboard.server.mailbox.search.IndexedMessageSearch;
import org.switchboard.server.mailbox.search.SearchIndexConfiguration;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;

/**
 * What James' mailbox API needs whichever store holds the messages ({@link RocksDbMailboxStoreModule} or
 * {@link JpaMailboxStoreModule}): logins, ACL resolution, subscriptions, quotas, search, threading.
 *
 * Choices made knowingly, for delivery speed that does not fall as a mailbox grows:
 * <ul>
 *   <li>thread ids come from {@link NaiveThreadIdGuessingAlgorithm} (a new id per message, no mailbox scan);</li>
 *   <li>IMAP SEARCH is answered from a Lucene index under {@code var/store/search-index/<store>}
 *   ({@link IndexedMessageSearch}): delivery only queues the event, one thread indexes and commits in batches, a search
 *   first waits for what was announced before it, and after an unclean stop each mailbox is compared with the store
 *   before its first search;</li>
 *   <li>current quota usage follows the mailbox events through James' {@link ListeningCurrentQuotaUpdater}; the
 *   store module says where it is kept.</li>
 * </ul>
 */
public class MailboxServicesModule extends AbstractModule {
    static final String SEARCH_INDEX_LOCATION = "file://var/store/search-index/";

    private final String storeName;

    /** @param storeName the store's name, which names the index directory: each store has its own index */
    public MailboxServicesModule(String storeName) {
        this.storeName = storeName;
    }

    @Provides
    @Singleton
    SearchIndexConfiguration searchIndexConfiguration(FileSystem fileSystem) throws IOException {
        return new SearchIndexConfiguration(fileSystem.getFile(SEARCH_INDEX_LOCATION + storeName).toPath(),
            MailboxProperties.indexOnDelivery(fileSystem.getFile(FileSystem.FILE_PROTOCOL_AND_CONF).toPath()));
    }

    @Override
    protected void configure() {
        bind(MailboxManager.class).annotatedWith(Names.named(MAILBOXMANAGER_NAME)).to(MailboxManager.class);
        bind(MailboxManagerConfiguration.class).toInstance(MailboxManagerConfiguration.DEFAULT);
        bind(StoreSubscriptionManager.class).in(Scopes.SINGLETON);
        bind(SubscriptionManager.class).to(StoreSubscriptionManager.class);
        bind(NaiveThreadIdGuessingAlgorithm.class).in(Scopes.SINGLETON);
        bind(ThreadIdGuessingAlgorithm.class).to(NaiveThreadIdGuessingAlgorithm.class);

        bind(UserRepositoryAuthenticator.class).in(Scopes.SINGLETON);
        bind(Authenticator.class).to(UserRepositoryAuthenticator.class);
        bind(UserRepositoryAuthorizator.class).in(Scopes.SINGLETON);
        bind(Authorizator.class).to(UserRepositoryAuthorizator.class);
        bind(SessionProviderImpl.class).in(Scopes.SINGLETON);
        bind(SessionProvider.class).to(SessionProviderImpl.class);
        bind(UnionMailboxACLResolver.class).in(Scopes.SINGLETON);
        bind(MailboxACLResolver.class).to(UnionMailboxACLResolver.class);

        bind(SimpleMessageSearchIndex.class).in(Scopes.SINGLETON);
        bind(IndexedMessageSearch.class).in(Scopes.SINGLETON);
        bind(MessageSearchIndex.class).to(IndexedMessageSearch.class);
        bind(ListeningMessageSearchIndex.class).to(IndexedMessageSearch.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class)
            .addBinding().to(IndexedMessageSearch.class);
        bind(JsoupTextExtractor.class).in(Scopes.SINGLETON);
        bind(TextExtractor.class).to(JsoupTextExtractor.class);
        bind(ReIndexerImpl.class).in(Scopes.SINGLETON);
        bind(ReIndexer.class).to(ReIndexerImpl.class);

        bindQuotas();

        Multibinder.newSetBinder(binder(), EventListener.GroupEventListener.class)
            .addBinding().to(MailboxAnnotationListener.class);
        Multibinder<UsernameChangeTaskStep> usernameChangeSteps = Multibinder.newSetBinder(binder(), UsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(MailboxUsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(ACLUsernameChangeTaskStep.class);
        usernameChangeSteps.addBinding().to(QuotaUsernameChangeTaskStep.class);
    }

    private void bindQuotas() {
        bind(DefaultUserQuotaRootResolver.class).in(Scopes.SINGLETON);
        bind(UserQuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootResolver.class).to(DefaultUserQuotaRootResolver.class);
        bind(QuotaRootDeserializer.class).to(DefaultUserQuotaRootResolver.class);
        bind(StoreQuotaManager.class).in(Scopes.SINGLETON);
        bind(QuotaManager.class).to(StoreQuotaManager.class);
        bind(ListeningCurrentQuotaUpdater.class).in(Scopes.SINGLETON);
        bind(QuotaUpdater.class).to(ListeningCurrentQuotaUpdater.class);
        Multibinder.newSetBinder(binder(), EventListener.ReactiveGroupEventListener.class)
            .addBinding().to(ListeningCurrentQuotaUpdater.class);
        bind(ScanningQuotaSearcher.class).in(Scopes.SINGLETON);
        bind(QuotaSearcher.class).to(ScanningQuotaSearcher.class);
    }
}
