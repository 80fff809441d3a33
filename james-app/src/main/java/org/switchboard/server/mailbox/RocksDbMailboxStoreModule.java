package org.switchboard.server.mailbox;

import javax.inject.Inject;

import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.mail.MailboxMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapperFactory;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapperFactory;
import org.apache.james.utils.MailboxManagerDefinition;
import org.switchboard.mailbox.store.RocksDbAttachmentContentLoader;
import org.switchboard.mailbox.store.RocksDbCurrentQuotaManager;
import org.switchboard.mailbox.store.RocksDbMailboxId;
import org.switchboard.mailbox.store.RocksDbMailboxManager;
import org.switchboard.mailbox.store.RocksDbMailboxSessionMapperFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.mailbox.store.RocksDbMessageId;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

/**
 * The default message store ({@code mailbox.store=rocksdb}): Switchboard's RocksDB mailbox store under
 * {@code var/store/mailbox}, made for delivery (one synced, group-committed write per message).
 *
 * <ul>
 *   <li>No {@code JVMMailboxPathLocker}: the store serialises the writers of one mailbox itself, from UID allocation
 *   to the end of the synced write, and James' lock would also hold every delivery to that mailbox through event
 *   dispatch.</li>
 *   <li>Current quota usage is kept in the store, updated by James' listening updater from the mailbox events;
 *   per-user quota limits stay in the SQL database (administration data, changed rarely).</li>
 * </ul>
 */
public class RocksDbMailboxStoreModule extends AbstractModule {
    @Override
    protected void configure() {
        install(new MailboxServicesModule("rocksdb"));

        bind(OpenMailboxStore.class).in(Scopes.SINGLETON);
        bind(RocksDbMailboxSessionMapperFactory.class).in(Scopes.SINGLETON);
        bind(SubscriptionMapperFactory.class).to(RocksDbMailboxSessionMapperFactory.class);
        bind(MessageMapperFactory.class).to(RocksDbMailboxSessionMapperFactory.class);
        bind(MailboxMapperFactory.class).to(RocksDbMailboxSessionMapperFactory.class);
        bind(MailboxSessionMapperFactory.class).to(RocksDbMailboxSessionMapperFactory.class);

        bind(RocksDbMailboxManager.class).in(Scopes.SINGLETON);
        bind(MailboxManager.class).to(RocksDbMailboxManager.class);
        bind(StoreMailboxManager.class).to(RocksDbMailboxManager.class);
        Multibinder.newSetBinder(binder(), MailboxManagerDefinition.class).addBinding().to(RocksDbMailboxManagerDefinition.class);

        bind(MailboxPathLocker.class).to(NoMailboxPathLocker.class);
        bind(RocksDbMailboxId.Factory.class).in(Scopes.SINGLETON);
        bind(MailboxId.Factory.class).to(RocksDbMailboxId.Factory.class);
        bind(RocksDbMessageId.Factory.class).in(Scopes.SINGLETON);
        bind(MessageId.Factory.class).to(RocksDbMessageId.Factory.class);
        bind(AttachmentContentLoader.class).to(RocksDbAttachmentContentLoader.class);

        // quota limits from memory until one changes (six SQL queries per delivered copy otherwise)
        bind(CachedMaxQuotaManager.class).in(Scopes.SINGLETON);
        bind(JPAPerUserMaxQuotaManager.class).to(CachedMaxQuotaManager.class);
        bind(MaxQuotaManager.class).to(CachedMaxQuotaManager.class);
        // an empty RocksDB store never hides the mail an installation keeps in the JPA store
        Multibinder.newSetBinder(binder(), StartUpCheck.class).addBinding().to(JpaMailboxesLeftBehindCheck.class);
        bind(RocksDbCurrentQuotaManager.class).in(Scopes.SINGLETON);
        bind(CurrentQuotaManager.class).to(RocksDbCurrentQuotaManager.class);
    }

    @Provides
    @Singleton
    RocksDbMailboxStore store(OpenMailboxStore openStore) {
        return openStore.store();
    }

    @Provides
    @Singleton
    UidProvider uidProvider(RocksDbMailboxSessionMapperFactory mappers) {
        return mappers.getUidProvider();
    }

    @Provides
    @Singleton
    ModSeqProvider modSeqProvider(RocksDbMailboxSessionMapperFactory mappers) {
        return mappers.getModSeqProvider();
    }

    @Singleton
    private static class RocksDbMailboxManagerDefinition extends MailboxManagerDefinition {
        @Inject
        RocksDbMailboxManagerDefinition(RocksDbMailboxManager manager) {
            super("rocksdb-mailboxmanager", manager);
        }
    }
}
