package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.routing.LdapDirectoryRouting;
import org.switchboard.directory.routing.RoutingSettings;
import org.switchboard.server.persistence.JpaPersistenceModule;

import com.unboundid.ldap.sdk.LDAPConnectionPool;

/**
 * The domain list on a real Derby and a real embedded ApacheDS: whether a domain is local is answered from the
 * list read whole, so remote domains cost no query, and a domain added or removed through it is seen at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryDomainListTest {
    static {
        System.setProperty("derby.stream.error.file", "target/derby.log");
    }

    private TestDirectory directory;
    private LDAPConnectionPool routingPool;
    private LdapDirectoryRouting routing;
    private DirectoryUsersDAO dao;
    private EntityManagerFactory entityManagerFactory;
    private CountingDomainList domains;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        DirectoryUsersConfiguration configuration = DirectoryUsersConfiguration.forEmbedded(directory.server(),
            directory.adminPassword());
        routingPool = DirectoryPools.open(configuration, true, 2, "test-routing");
        routing = new LdapDirectoryRouting(routingPool, TestDirectory.SUFFIX, RoutingSettings.defaults());
        dao = new DirectoryUsersDAO(configuration, routing);
        entityManagerFactory = Persistence.createEntityManagerFactory(JpaPersistenceModule.PERSISTENCE_UNIT, Map.of(
            "openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
            "openjpa.ConnectionURL", "jdbc:derby:memory:domains;create=true"));
        domains = new CountingDomainList(entityManagerFactory, dao);
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false)
            .defaultDomain(Domain.of("example.com")).build());
    }

    @AfterAll
    void stop() {
        if (entityManagerFactory.isOpen()) {
            entityManagerFactory.close();
        }
        dao.close();
        routing.close();
        routingPool.close();
        directory.close();
    }

    @Test
    void remoteDomainsAreAnsweredFromTheListAndChangesAreSeenAtOnce() throws Exception {
        domains.addDomain(Domain.of("new.example"));
        assertThat(domains.containsDomainInternal(Domain.of("new.example"))).as("added").isTrue();
        domains.removeDomain(Domain.of("new.example"));
        assertThat(domains.containsDomainInternal(Domain.of("new.example"))).as("removed").isFalse();
        assertThat(domains.containsDomainInternal(Domain.of("example.com"))).isTrue();
        int reads = domains.listReads.get();

        // the database goes away: only the list read before can answer
        entityManagerFactory.close();

        for (int i = 0; i < 50; i++) {
            assertThat(domains.containsDomainInternal(Domain.of("remote" + i + ".test"))).isFalse();
        }
        assertThat(domains.containsDomainInternal(Domain.of("example.com"))).isTrue();
        assertThat(domains.listReads.get()).as("no further read").isEqualTo(reads);
    }

    /** Counts the reads of the whole list from the database. */
    private static final class CountingDomainList extends DirectoryDomainList {
        private final AtomicInteger listReads = new AtomicInteger();

        CountingDomainList(EntityManagerFactory entityManagerFactory, DirectoryUsersDAO dao) {
            super(null, entityManagerFactory, dao);
        }

        @Override
        protected List<Domain> getDomainListInternal() throws DomainListException {
            listReads.incrementAndGet();
            return super.getDomainListInternal();
        }
    }
}
