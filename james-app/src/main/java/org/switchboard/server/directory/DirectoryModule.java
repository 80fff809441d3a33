package org.switchboard.server.directory;

import java.lang.management.ManagementFactory;

import javax.management.ObjectName;

import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;

import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.LdapDirectoryRouting;
import org.switchboard.directory.routing.RoutingSettings;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * Users, logins and domains' directory branches from the directory (embedded ApacheDS or an external LDAP server,
 * see {@link DirectoryConfiguration}). The directory itself is started by the caller beside the server and stopped
 * after it; whatever connects to it waits until it runs, and so does James' start ({@link DirectoryStartedCheck})
 * before it opens a listener, so that nothing that needs users ever runs without it.
 */
public class DirectoryModule extends AbstractModule {
    private static final int ROUTING_POOL_SIZE = 8;

    private final DirectoryConnection connection;

    public DirectoryModule(DirectoryConnection connection) {
        this.connection = connection;
    }

    @Override
    protected void configure() {
        bind(DirectoryConnection.class).toInstance(connection);
        bind(DirectoryDomainList.class).in(Scopes.SINGLETON);
        bind(JPADomainList.class).to(DirectoryDomainList.class);
        bind(DomainList.class).to(DirectoryDomainList.class);
        bind(UsersRepository.class).to(DirectoryUsersRepository.class);
        Multibinder.newSetBinder(binder(), StartUpCheck.class).addBinding().to(DirectoryStartedCheck.class);
    }

    @Provides
    @Singleton
    DirectoryUsersDAO usersDAO(DirectoryRouting routing) throws LDAPException {
        DirectoryUsersDAO dao = new DirectoryUsersDAO(connection.usersConfiguration(), routing);
        connection.closeBeforeStop(dao);
        return dao;
    }

    @Provides
    @Singleton
    DirectoryUsersRepository usersRepository(DomainList domainList, DirectoryUsersDAO dao) {
        return new DirectoryUsersRepository(domainList, dao);
    }

    /**
     * The routing service, on a pool of its own (one connection stays with the persistent search); closed before
     * the directory stops.
     */
    @Provides
    @Singleton
    DirectoryRouting routing() throws LDAPException {
        LDAPConnectionPool pool = DirectoryPools.open(connection.usersConfiguration(), true, ROUTING_POOL_SIZE,
            "switchboard-routing");
        LdapDirectoryRouting routing = new LdapDirectoryRouting(pool, connection.configuration().suffix(),
            RoutingSettings.defaults());
        connection.closeBeforeStop(pool::close);
        connection.closeBeforeStop(routing);
        return routing;
    }

    @ProvidesIntoSet
    InitializationOperation registerRoutingManagement(DirectoryRoutingManagement management) {
        return InitilizationOperationBuilder.forClass(DirectoryRoutingManagement.class)
            .init(() -> ManagementFactory.getPlatformMBeanServer().registerMBean(management,
                new ObjectName(DirectoryRoutingManagement.OBJECT_NAME)));
    }

    @ProvidesIntoSet
    InitializationOperation configureUsers(ConfigurationProvider configurationProvider, DirectoryUsersRepository users) {
        return InitilizationOperationBuilder.forClass(DirectoryUsersRepository.class)
            .init(() -> users.configure(configurationProvider.getConfiguration("usersrepository")));
    }
}
