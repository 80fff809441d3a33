package org.switchboard.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.james.core.Domain;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.openjpa.jdbc.conf.JDBCConfiguration;
import org.apache.openjpa.persistence.OpenJPAEntityManagerFactorySPI;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database schema is checked by OpenJPA when the database has no record of a check for the same classes, and
 * skipped when it has one; on a real (in-memory) Derby, reopened as a restarted server would.
 */
class JpaSchemaOnceTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    static {
        System.setProperty("derby.stream.error.file", "target/derby.log");
    }

    private String url;
    private Map<String, String> properties;

    @BeforeEach
    void newDatabase() throws Exception {
        url = "jdbc:derby:memory:schema-once" + DATABASES.incrementAndGet();
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver");
        database.addProperty("database.url", url + ";create=true");
        properties = JpaPersistenceModule.openJpaProperties(database);
    }

    @Test
    void aNewDatabaseIsCheckedAndTheCheckRecorded() throws Exception {
        EntityManagerFactory factory = JpaSchemaOnce.open(JpaPersistenceModule.PERSISTENCE_UNIT, properties);
        try {
            assertThat(synchronizeMappings(factory)).as("OpenJPA builds the schema").startsWith("buildSchema");
            addMapping(factory, "alice");
        } finally {
            factory.close();
        }
        assertThat(recorded()).containsExactly(JpaSchemaOnce.fingerprint(properties));
    }

    @Test
    void aRestartOverTheSameDatabaseAndClassesSkipsTheCheckAndWorks() throws Exception {
        JpaSchemaOnce.open(JpaPersistenceModule.PERSISTENCE_UNIT, properties).close();

        EntityManagerFactory restarted = JpaSchemaOnce.open(JpaPersistenceModule.PERSISTENCE_UNIT, properties);
        try {
            assertThat(synchronizeMappings(restarted)).as("no schema check").isEmpty();
            addMapping(restarted, "bob");
            assertThat(mappingsOf(restarted, "bob")).containsExactly("target-bob@example.com");
        } finally {
            restarted.close();
        }
    }

    @Test
    void aRecordOfOtherClassesOrAnotherDatabaseMeansAnotherCheck() throws Exception {
        JpaSchemaOnce.open(JpaPersistenceModule.PERSISTENCE_UNIT, properties).close();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE " + JpaSchemaOnce.TABLE + " SET FINGERPRINT = 'of older jars'");
        }

        EntityManagerFactory upgraded = JpaSchemaOnce.open(JpaPersistenceModule.PERSISTENCE_UNIT, properties);
        try {
            assertThat(synchronizeMappings(upgraded)).startsWith("buildSchema");
        } finally {
            upgraded.close();
        }
        assertThat(recorded()).containsExactly(JpaSchemaOnce.fingerprint(properties));
    }

    private static String synchronizeMappings(EntityManagerFactory factory) {
        String value = ((JDBCConfiguration) ((OpenJPAEntityManagerFactorySPI) factory).getConfiguration())
            .getSynchronizeMappings();
        return value == null ? "" : value;
    }

    private static void addMapping(EntityManagerFactory factory, String user) throws Exception {
        CachedRecipientRewriteTable table = new CachedRecipientRewriteTable();
        table.setEntityManagerFactory(factory);
        table.configure(new BaseHierarchicalConfiguration());
        table.addMapping(MappingSource.fromUser(user, Domain.of("example.com")),
            Mapping.address("target-" + user + "@example.com"));
    }

    private static List<String> mappingsOf(EntityManagerFactory factory, String user) throws Exception {
        CachedRecipientRewriteTable table = new CachedRecipientRewriteTable();
        table.setEntityManagerFactory(factory);
        table.configure(new BaseHierarchicalConfiguration());
        return table.getStoredMappings(MappingSource.fromUser(user, Domain.of("example.com"))).asStream()
            .map(Mapping::asString).toList();
    }

    private List<String> recorded() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT FINGERPRINT FROM " + JpaSchemaOnce.TABLE)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }
}
