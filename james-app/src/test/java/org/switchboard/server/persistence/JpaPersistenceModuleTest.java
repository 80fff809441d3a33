package org.switchboard.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Test;

class JpaPersistenceModuleTest {
    @Test
    void mapsDatabaseDatasourceAndOpenJpaKeys() throws Exception {
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.postgresql.Driver");
        database.addProperty("database.url", "jdbc:postgresql://db/james");
        database.addProperty("database.username", "james");
        database.addProperty("database.password", "secret");
        database.addProperty("datasource.maxTotal", "20");
        database.addProperty("datasource.testOnBorrow", "true");
        database.addProperty("openjpa.streaming", "false");

        assertThat(JpaPersistenceModule.openJpaProperties(database))
            .containsEntry("openjpa.ConnectionDriverName", "org.postgresql.Driver")
            .containsEntry("openjpa.ConnectionURL", "jdbc:postgresql://db/james")
            .containsEntry("openjpa.ConnectionUserName", "james")
            .containsEntry("openjpa.ConnectionPassword", "secret")
            .containsEntry("openjpa.ConnectionProperties", "maxTotal=20,testOnBorrow=true")
            .containsEntry("openjpa.streaming", "false")
            .containsEntry("openjpa.Multithreaded", "true");
    }

    @Test
    void embeddedDerbyNeedsNoCredentials() throws Exception {
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver");
        database.addProperty("database.url", "jdbc:derby:var/store/derby;create=true");
        database.addProperty("database.username", "");

        assertThat(JpaPersistenceModule.openJpaProperties(database))
            .doesNotContainKeys("openjpa.ConnectionUserName", "openjpa.ConnectionPassword", "openjpa.ConnectionProperties");
    }

    @Test
    void refusesAConfigurationWithoutUrl() {
        PropertiesConfiguration database = new PropertiesConfiguration();
        database.addProperty("database.driverClassName", "org.apache.derby.jdbc.EmbeddedDriver");

        assertThatThrownBy(() -> JpaPersistenceModule.openJpaProperties(database))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("database.url");
    }
}
