package org.switchboard.server.directory;

import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * Users, logins and domains' directory branches from the directory (embedded ApacheDS or an external LDAP server,
 * see {@link DirectoryConfiguration}). The directory itself is started by the caller before the server, and
 * stopped after it, so that nothing that needs users ever runs without it.
 */
public class DirectoryModule extends AbstractModule {
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
    }

    @Provides
    @Singleton
    DirectoryUsersDAO usersDAO() throws LDAPException {
        return new DirectoryUsersDAO(connection.usersConfiguration());
    }

    @Provides
    @Singleton
    DirectoryUsersRepository usersRepository(DomainList domainList, DirectoryUsersDAO dao) {
        return new DirectoryUsersRepository(domainList, dao);
    }

    @ProvidesIntoSet
    InitializationOperation configureUsers(ConfigurationProvider configurationProvider, DirectoryUsersRepository users) {
        return InitilizationOperationBuilder.forClass(DirectoryUsersRepository.class)
            .init(() -> users.configure(configurationProvider.getConfiguration("usersrepository")));
    }
}
