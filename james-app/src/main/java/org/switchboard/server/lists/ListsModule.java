package org.switchboard.server.lists;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;

import javax.management.ObjectName;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.switchboard.mailets.lists.BounceRecords;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.mailets.lists.ListDirectory;
import org.switchboard.mailets.lists.OneClickLinks;
import org.switchboard.mailets.lists.OneClickUnsubscribe;
import org.switchboard.mailets.lists.UnsubscribeTokens;
import org.switchboard.server.directory.DirectoryConnection;
import org.switchboard.server.directory.DirectoryPools;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * The Distribution List Manager's directory access (the lists, read and changed as the directory's administrator on
 * a pool of their own, closed before the directory stops), its JMX face ({@link ListManagement}) and its schedules
 * ({@link EachListScheduler}: digests and archive readers, {@link HeldPostScheduler}, {@link BounceReminderScheduler}),
 * and the one-click
 * unsubscribe endpoint ({@link OneClickEndpoint}, {@code conf/oneclick.properties}; its key in
 * {@code var/oneclick-unsubscribe.key}).
 */
public class ListsModule extends AbstractModule {
    private static final int POOL_SIZE = 4;
    static final String UNSUBSCRIBE_KEY = "var/oneclick-unsubscribe.key";

    /** The lists' connections and the suffix below which lists live. */
    public record ListPool(LDAPConnectionPool pool, String suffix) {
    }

    @Provides
    @Singleton
    ListPool listPool(DirectoryConnection connection) throws LDAPException {
        LDAPConnectionPool pool = DirectoryPools.open(connection.usersConfiguration(), true, POOL_SIZE,
            "switchboard-lists");
        connection.closeBeforeStop(pool::close);
        return new ListPool(pool, connection.configuration().suffix());
    }

    @Provides
    @Singleton
    ListDirectory listDirectory(ListPool listPool) {
        return new LdapListDirectory(listPool.pool(), listPool.suffix());
    }

    @Provides
    @Singleton
    BounceRecords bounceRecords(ListPool listPool) {
        return new LdapBounceRecords(listPool.pool());
    }

    @ProvidesIntoSet
    InitializationOperation registerListPolicyManagement(ListPolicyManagement management) {
        return InitilizationOperationBuilder.forClass(ListPolicyManagement.class)
            .init(() -> ManagementFactory.getPlatformMBeanServer().registerMBean(management,
                new ObjectName(ListPolicyManagement.OBJECT_NAME)));
    }

    @ProvidesIntoSet
    InitializationOperation startEachListScheduler(EachListScheduler scheduler) {
        return InitilizationOperationBuilder.forClass(EachListScheduler.class)
            .init(scheduler::start)
            .requires(List.of(JamesMailetContext.class));
    }

    @ProvidesIntoSet
    InitializationOperation startHeldPostScheduler(HeldPostScheduler scheduler) {
        return InitilizationOperationBuilder.forClass(HeldPostScheduler.class)
            .init(scheduler::start)
            .requires(List.of(JamesMailetContext.class));
    }

    @ProvidesIntoSet
    InitializationOperation startBounceReminderScheduler(BounceReminderScheduler scheduler) {
        return InitilizationOperationBuilder.forClass(BounceReminderScheduler.class)
            .init(scheduler::start)
            .requires(List.of(JamesMailetContext.class));
    }

    @ProvidesIntoSet
    InitializationOperation registerListManagement(ListManagement management) {
        return InitilizationOperationBuilder.forClass(ListManagement.class)
            .init(() -> ManagementFactory.getPlatformMBeanServer().registerMBean(management,
                new ObjectName(ListManagement.OBJECT_NAME)));
    }

    @Provides
    @Singleton
    OneClickSettings oneClickSettings(FileSystem fileSystem) throws IOException {
        return OneClickSettings.read(fileSystem.getBasedir().toPath().resolve("conf"));
    }

    @Provides
    @Singleton
    UnsubscribeTokens unsubscribeTokens(FileSystem fileSystem) throws IOException {
        return UnsubscribeTokens.loadOrCreate(fileSystem.getBasedir().toPath().resolve(UNSUBSCRIBE_KEY));
    }

    /** Links only when the endpoint that answers them is configured. */
    @Provides
    @Singleton
    OneClickLinks oneClickLinks(OneClickSettings settings, Provider<UnsubscribeTokens> tokens) {
        return settings.port().isPresent() ? OneClickLinks.to(settings.authority(), tokens.get())
            : OneClickLinks.disabled();
    }

    @Provides
    @Singleton
    OneClickEndpoint oneClickEndpoint(OneClickSettings settings, FileSystem fileSystem,
                                      Provider<OneClickUnsubscribe> unsubscribe) throws IOException {
        return new OneClickEndpoint(settings, fileSystem.getBasedir().toPath().resolve("conf"), unsubscribe);
    }

    @ProvidesIntoSet
    InitializationOperation startOneClickEndpoint(OneClickEndpoint endpoint) {
        return InitilizationOperationBuilder.forClass(OneClickEndpoint.class)
            .init(endpoint::start)
            .requires(List.of(JamesMailetContext.class));
    }
}
