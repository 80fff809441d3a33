package org.switchboard.server.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the persistence unit, letting OpenJPA check and extend the database schema ({@code SynchronizeMappings} of
 * {@code persistence.xml}) only when the schema may differ from the mapped classes: OpenJPA's check reads the
 * database's description of every table at each start, about a fifth of the server's start-up work on Derby.
 *
 * <p>After a check, a fingerprint of what the schema is made from (the database URL and user, {@code persistence.xml}
 * and the jars of its mapped classes and of OpenJPA) is written into the database itself, in the one-row table
 * {@value #TABLE}. A start that reads the same fingerprint there skips the check. Kept in the database rather than in
 * a file, so a database emptied, recreated or swapped for another is checked again, and so is any upgrade of James
 * or OpenJPA (other jar names).
 */
public final class JpaSchemaOnce {
    static final String TABLE = "SWITCHBOARD_JPA_SCHEMA";
    private static final String SYNCHRONIZE = "openjpa.jdbc.SynchronizeMappings";
    private static final String PERSISTENCE_XML = "META-INF/persistence.xml";
    private static final Pattern MAPPED_CLASS = Pattern.compile("<class>\\s*([\\w.$]+)\\s*</class>");
    private static final Logger LOGGER = LoggerFactory.getLogger(JpaSchemaOnce.class);

    private JpaSchemaOnce() {
    }

    /** The factory of {@code unit} over the database of {@code properties} (OpenJPA's keys), its schema up to date. */
    public static EntityManagerFactory open(String unit, Map<String, String> properties) {
        String fingerprint = fingerprint(properties);
        if (fingerprint.equals(storedFingerprint(properties))) {
            Map<String, String> unchecked = new HashMap<>(properties);
            unchecked.put(SYNCHRONIZE, "");
            return Persistence.createEntityManagerFactory(unit, unchecked);
        }
        EntityManagerFactory factory = Persistence.createEntityManagerFactory(unit, properties);
        // OpenJPA checks the schema when it makes its first entity manager
        factory.createEntityManager().close();
        store(properties, fingerprint);
        LOGGER.info("Database schema checked against the mapped classes; later starts skip the check until the "
            + "database or the jars change ({} table)", TABLE);
        return factory;
    }

    static String fingerprint(Map<String, String> properties) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            String persistenceXml = persistenceXml();
            TreeSet<String> jars = new TreeSet<>();
            Matcher mapped = MAPPED_CLASS.matcher(persistenceXml);
            while (mapped.find()) {
                jars.add(jarOf(mapped.group(1)));
            }
            jars.add(jarOf("org.apache.openjpa.persistence.PersistenceProviderImpl"));
            for (String part : new String[] {properties.get("openjpa.ConnectionURL"),
                properties.getOrDefault("openjpa.ConnectionUserName", ""), properties.getOrDefault(SYNCHRONIZE, ""),
                persistenceXml, String.join("\n", jars)}) {
                digest.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
    }

    private static String persistenceXml() {
        try (InputStream in = JpaSchemaOnce.class.getClassLoader().getResourceAsStream(PERSISTENCE_XML)) {
            if (in == null) {
                throw new IllegalStateException(PERSISTENCE_XML + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar (or folder) a class comes from, by name: the name carries the version. */
    private static String jarOf(String className) {
        try {
            CodeSource source = Class.forName(className, false, JpaSchemaOnce.class.getClassLoader())
                .getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return className + "@?";
            }
            String location = source.getLocation().getPath();
            return location.substring(location.lastIndexOf('/', location.length() - 2) + 1);
        } catch (ClassNotFoundException e) {
            return className + "@missing";
        }
    }

    /** The fingerprint the database holds; null when it holds none (or cannot be read: OpenJPA will say why). */
    private static String storedFingerprint(Map<String, String> properties) {
        try (Connection connection = connect(properties);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT FINGERPRINT FROM " + TABLE)) {
            return row.next() ? row.getString(1) : null;
        } catch (SQLException | ClassNotFoundException noTableYet) {
            return null;
        }
    }

    private static void store(Map<String, String> properties, String fingerprint) {
        try (Connection connection = connect(properties)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                try {
                    statement.executeUpdate("CREATE TABLE " + TABLE + " (FINGERPRINT VARCHAR(64) NOT NULL)");
                } catch (SQLException exists) {
                    connection.rollback(); // PostgreSQL refuses anything more in a failed transaction
                }
                statement.executeUpdate("DELETE FROM " + TABLE);
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + TABLE + " VALUES (?)")) {
                    insert.setString(1, fingerprint);
                    insert.executeUpdate();
                }
            }
            connection.commit();
        } catch (SQLException | ClassNotFoundException e) {
            // the next start checks the schema again: slower, never wrong
            LOGGER.warn("Could not record the database schema's fingerprint in {}: {}", TABLE, e.getMessage());
        }
    }

    private static Connection connect(Map<String, String> properties) throws SQLException, ClassNotFoundException {
        String driver = properties.get("openjpa.ConnectionDriverName");
        if (driver != null) {
            Class.forName(driver); // drivers that do not register themselves through the service loader
        }
        String url = properties.get("openjpa.ConnectionURL");
        String user = properties.get("openjpa.ConnectionUserName");
        return user == null ? DriverManager.getConnection(url)
            : DriverManager.getConnection(url, user, properties.getOrDefault("openjpa.ConnectionPassword", ""));
    }
}
