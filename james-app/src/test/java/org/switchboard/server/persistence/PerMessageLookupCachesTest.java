package org.switchboard.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.james.core.Domain;
import org.apache.james.core.Username;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.sieverepository.api.ScriptContent;
import org.apache.james.sieverepository.api.ScriptName;
import org.apache.james.sieverepository.api.exception.ScriptNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The caches in front of the JPA recipient rewrite table and Sieve repository (on a real, in-memory Derby): a
 * repeated lookup does not reach the database, and a change made through the repository is seen at once.
 */
class PerMessageLookupCachesTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Username ALICE = Username.of("alice@example.com");

    private EntityManagerFactory entityManagerFactory;

    static {
        // Derby's own log goes with the build's output, not into the module's folder
        System.setProperty("derby.stream.error.file", "target/derby.log");
    }

    @BeforeEach
    void openDatabase() throws Exception {
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver");
        database.addProperty("database.url", "jdbc:derby:memory:caches" + DATABASES.incrementAndGet() + ";create=true");
        Map<String, String> properties = JpaPersistenceModule.openJpaProperties(database);
        entityManagerFactory = Persistence.createEntityManagerFactory(JpaPersistenceModule.PERSISTENCE_UNIT, properties);
    }

    @AfterEach
    void closeDatabase() {
        entityManagerFactory.close();
    }

    @Test
    void rewriteLookupsAreAnsweredFromMemoryUntilAMappingChanges() throws Exception {
        CountingRecipientRewriteTable table = new CountingRecipientRewriteTable();
        table.setEntityManagerFactory(entityManagerFactory);
        table.configure(new BaseHierarchicalConfiguration());
        Domain domain = Domain.of("example.com");

        assertThat(table.getResolvedMappings("alice", domain).isEmpty()).isTrue();
        int afterFirst = table.storedLookups.get();
        assertThat(table.getResolvedMappings("alice", domain).isEmpty()).isTrue();
        assertThat(table.storedLookups.get()).as("second lookup from memory").isEqualTo(afterFirst);
        assertThat(table.getResolvedMappings("member1", Domain.of("remote.test")).isEmpty()).isTrue();
        assertThat(table.storedLookups.get()).as("another address never looked up: from memory too").isEqualTo(afterFirst);

        table.addMapping(MappingSource.fromDomain(Domain.of("old.example")), Mapping.domain(domain));
        assertThat(table.getResolvedMappings("carol", Domain.of("old.example")).asStream().map(Mapping::asString))
            .as("a domain's mapping applies to its addresses").contains("carol@example.com");

        table.addMapping(MappingSource.fromUser("alice", domain), Mapping.address("bob@example.com"));

        assertThat(table.getResolvedMappings("alice", domain).asStream().map(Mapping::asString))
            .as("a new mapping is seen at once").contains("bob@example.com");

        table.removeMapping(MappingSource.fromUser("alice", domain), Mapping.address("bob@example.com"));

        assertThat(table.getResolvedMappings("alice", domain).isEmpty()).as("a removed one too").isTrue();
    }

    @Test
    void theActiveSieveScriptIsAnsweredFromMemoryUntilItChanges() throws Exception {
        CachedSieveRepository repository = new CachedSieveRepository(entityManagerFactory);

        assertThatThrownBy(() -> repository.getActive(ALICE)).isInstanceOf(ScriptNotFoundException.class);

        repository.putScript(ALICE, new ScriptName("main"), new ScriptContent("keep;"));
        repository.setActive(ALICE, new ScriptName("main"));
        assertThat(new String(repository.getActive(ALICE).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("keep;");
        assertThat(repository.getActivationDateForActiveScript(ALICE)).isNotNull();

        repository.putScript(ALICE, new ScriptName("other"), new ScriptContent("discard;"));
        repository.setActive(ALICE, new ScriptName("other"));
        assertThat(new String(repository.getActive(ALICE).readAllBytes(), StandardCharsets.UTF_8))
            .as("another active script is seen at once").isEqualTo("discard;");

        repository.setActive(ALICE, org.apache.james.sieverepository.api.SieveRepository.NO_SCRIPT_NAME);
        assertThatThrownBy(() -> repository.getActive(ALICE)).as("deactivated").isInstanceOf(ScriptNotFoundException.class);
    }

    @Test
    void aSecondReadOfTheActiveScriptDoesNotReachTheDatabase() throws Exception {
        CachedSieveRepository repository = new CachedSieveRepository(entityManagerFactory);
        repository.putScript(ALICE, new ScriptName("main"), new ScriptContent("keep;"));
        repository.setActive(ALICE, new ScriptName("main"));
        repository.getActive(ALICE).close();

        // the database goes away: an answer can only come from memory now
        entityManagerFactory.close();

        assertThat(new String(repository.getActive(ALICE).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("keep;");
        reopenDatabase();
    }

    @Test
    void aUserWithoutAScriptCostsNoQueryOnceTheOwnersAreKnown() throws Exception {
        CachedSieveRepository repository = new CachedSieveRepository(entityManagerFactory);
        repository.putScript(ALICE, new ScriptName("main"), new ScriptContent("keep;"));
        repository.setActive(ALICE, new ScriptName("main"));
        assertThatThrownBy(() -> repository.getActive(Username.of("bob@example.com")))
            .isInstanceOf(ScriptNotFoundException.class);
        repository.getActive(ALICE).close();

        entityManagerFactory.close();

        // never asked for before, and the database is gone: only the list of script owners can answer
        assertThatThrownBy(() -> repository.getActive(Username.of("carol@example.com")))
            .isInstanceOf(ScriptNotFoundException.class);
        assertThatThrownBy(() -> repository.getActivationDateForActiveScript(Username.of("dave@example.com")))
            .isInstanceOf(ScriptNotFoundException.class);
        assertThat(new String(repository.getActive(ALICE).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("keep;");
        reopenDatabase();
    }

    @Test
    void aNewOwnerOfAnActiveScriptIsSeenAtOnce() throws Exception {
        CachedSieveRepository repository = new CachedSieveRepository(entityManagerFactory);
        Username bob = Username.of("bob@example.com");
        assertThatThrownBy(() -> repository.getActive(bob)).isInstanceOf(ScriptNotFoundException.class);

        repository.putScript(bob, new ScriptName("main"), new ScriptContent("discard;"));
        assertThatThrownBy(() -> repository.getActive(bob)).as("not active yet").isInstanceOf(ScriptNotFoundException.class);
        repository.setActive(bob, new ScriptName("main"));

        assertThat(new String(repository.getActive(bob).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("discard;");
    }

    private void reopenDatabase() {
        entityManagerFactory = Persistence.createEntityManagerFactory(JpaPersistenceModule.PERSISTENCE_UNIT,
            Map.of("openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
                "openjpa.ConnectionURL", "jdbc:derby:memory:closed" + DATABASES.incrementAndGet() + ";create=true"));
    }

    /** Counts the reads that reach the JPA table. */
    private static final class CountingRecipientRewriteTable extends CachedRecipientRewriteTable {
        private final AtomicInteger storedLookups = new AtomicInteger();

        @Override
        public org.apache.james.rrt.lib.Mappings getStoredMappings(MappingSource source)
                throws org.apache.james.rrt.api.RecipientRewriteTableException {
            storedLookups.incrementAndGet();
            return super.getStoredMappings(source);
        }

        @Override
        public Map<MappingSource, org.apache.james.rrt.lib.Mappings> getAllMappings()
                throws org.apache.james.rrt.api.RecipientRewriteTableException {
            storedLookups.incrementAndGet();
            return super.getAllMappings();
        }
    }
}
