package org.switchboard.server.persistence;

import java.io.FileNotFoundException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.CoreDataModule;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrlStore;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.rrt.api.AliasReverseResolver;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.AliasReverseResolverImpl;
import org.apache.james.rrt.lib.CanSendFromImpl;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.SieveQuotaRepository;
import org.apache.james.sieverepository.api.SieveRepository;
import org.apache.james.utils.InitializationOperation;
import org.apache.james.utils.InitilizationOperationBuilder;
import org.apache.james.utils.PropertiesProvider;

import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;

/**
 * Everything Switchboard keeps in its SQL database, through James' JPA stores: domains, the recipient rewrite
 * table, mail repositories ({@link JpaColumnFittingMailRepository}) and Sieve scripts. The database is chosen in
 * {@code james-database.properties} (embedded Derby under {@code var/} by default); the mailbox store shares the same
 * persistence unit.
 */
public class JpaPersistenceModule extends AbstractModule {
    public static final String PERSISTENCE_UNIT = "Global";

    @Override
    protected void configure() {
        install(new CoreDataModule());

        bind(JPADomainList.class).in(Scopes.SINGLETON);
        bind(DomainList.class).to(JPADomainList.class);

        // per-recipient lookups of every delivered mail answered from memory until a mapping changes
        bind(CachedRecipientRewriteTable.class).in(Scopes.SINGLETON);
        bind(JPARecipientRewriteTable.class).to(CachedRecipientRewriteTable.class);
        bind(RecipientRewriteTable.class).to(CachedRecipientRewriteTable.class);
        bind(AliasReverseResolverImpl.class).in(Scopes.SINGLETON);
        bind(AliasReverseResolver.class).to(AliasReverseResolverImpl.class);
        bind(CanSendFromImpl.class).in(Scopes.SINGLETON);
        bind(CanSendFrom.class).to(CanSendFromImpl.class);

        bind(JPAMailRepositoryUrlStore.class).in(Scopes.SINGLETON);
        bind(MailRepositoryUrlStore.class).to(JPAMailRepositoryUrlStore.class);
        // Every jpa:// repository is a JpaColumnFittingMailRepository, which accepts any mail. James' loader
        // (GuiceMailRepositoryLoader) instantiates the class named in mailrepositorystore.xml through Guice, so this
        // binding also covers a configuration that still names James' class. The factory is for loaders that use
        // MailRepositoryFactory bindings (James' MultiBoundGuiceRepositoryLoader); the server's does not.
        bind(JPAMailRepository.class).to(JpaColumnFittingMailRepository.class);
        bind(MailRepositoryStoreConfiguration.Item.class).toProvider(() -> new MailRepositoryStoreConfiguration.Item(
            ImmutableList.of(new Protocol("jpa")), JpaColumnFittingMailRepository.class.getName(), new BaseHierarchicalConfiguration()));
        Multibinder.newSetBinder(binder(), MailRepositoryFactory.class).addBinding().to(JpaColumnFittingMailRepositoryFactory.class);

        // the active script of every recipient of every delivered mail answered from memory until it changes
        bind(CachedSieveRepository.class).in(Scopes.SINGLETON);
        bind(JPASieveRepository.class).to(CachedSieveRepository.class);
        bind(SieveRepository.class).to(CachedSieveRepository.class);
        bind(SieveQuotaRepository.class).to(CachedSieveRepository.class);
    }

    @Provides
    @Singleton
    EntityManagerFactory entityManagerFactory(PropertiesProvider propertiesProvider) throws FileNotFoundException, ConfigurationException {
        return createEntityManagerFactory(propertiesProvider);
    }

    /**
     * The database of {@code james-database.properties}: the server's, or that of a command run while it is stopped.
     * Its schema is checked against the mapped classes only when they or the database changed ({@link JpaSchemaOnce}).
     */
    public static EntityManagerFactory createEntityManagerFactory(PropertiesProvider propertiesProvider)
            throws FileNotFoundException, ConfigurationException {
        return JpaSchemaOnce.open(PERSISTENCE_UNIT, openJpaProperties(propertiesProvider.getConfiguration("james-database")));
    }

    /**
     * Maps {@code james-database.properties} onto OpenJPA: the four {@code database.*} keys, {@code datasource.*}
     * keys as connection-pool properties, and any {@code openjpa.*} key passed as is.
     */
    static Map<String, String> openJpaProperties(Configuration database) throws ConfigurationException {
        String driver = database.getString("database.driverClassName", null);
        String url = database.getString("database.url", null);
        if (driver == null || url == null) {
            throw new ConfigurationException("james-database.properties needs database.driverClassName and database.url");
        }
        Map<String, String> properties = new HashMap<>();
        properties.put("openjpa.ConnectionDriverName", driver);
        properties.put("openjpa.ConnectionURL", url);
        String username = database.getString("database.username", "");
        if (!username.isBlank()) {
            properties.put("openjpa.ConnectionUserName", username);
            properties.put("openjpa.ConnectionPassword", database.getString("database.password", ""));
        }
        StringBuilder pool = new StringBuilder();
        for (Iterator<String> keys = database.getKeys("datasource"); keys.hasNext(); ) {
            String key = keys.next();
            if (pool.length() > 0) {
                pool.append(',');
            }
            pool.append(key.substring("datasource.".length())).append('=').append(database.getString(key));
        }
        if (pool.length() > 0) {
            properties.put("openjpa.ConnectionProperties", pool.toString());
        }
        properties.put("openjpa.Multithreaded", "true");
        for (Iterator<String> keys = database.getKeys("openjpa"); keys.hasNext(); ) {
            String key = keys.next();
            properties.put(key, database.getString(key));
        }
        return properties;
    }

    @ProvidesIntoSet
    InitializationOperation configureDomainList(DomainListConfiguration configuration, JPADomainList domainList) {
        return InitilizationOperationBuilder.forClass(JPADomainList.class)
            .init(() -> domainList.configure(configuration));
    }

    @ProvidesIntoSet
    InitializationOperation configureRecipientRewriteTable(ConfigurationProvider configurationProvider, CachedRecipientRewriteTable table) {
        // named by the bound class: James orders start-up by it, so the spool never sees an unconfigured table
        return InitilizationOperationBuilder.forClass(CachedRecipientRewriteTable.class)
            .init(() -> table.configure(configurationProvider.getConfiguration("recipientrewritetable")));
    }
}
