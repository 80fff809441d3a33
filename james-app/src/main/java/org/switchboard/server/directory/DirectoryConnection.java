package org.switchboard.server.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory this server uses, per {@code conf/directory.xml}: the embedded ApacheDS (started by
 * {@link #open}, stopped by {@link #close}) or an external LDAP server, and the account the server binds with.
 */
public final class DirectoryConnection implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryConnection.class);
    private final DirectoryConfiguration configuration;
    private final Optional<EmbeddedDirectoryServer> embedded;
    private final String adminPassword;
    private final Deque<AutoCloseable> clients = new ArrayDeque<>();

    private DirectoryConnection(DirectoryConfiguration configuration, Optional<EmbeddedDirectoryServer> embedded,
                                String adminPassword) {
        this.configuration = configuration;
        this.embedded = embedded;
        this.adminPassword = adminPassword;
    }

    /** Reads {@code directory.xml} of the configuration directory (required: the directory holds the users). */
    public static DirectoryConnection open(Path serverRoot, Path confDirectory) {
        return open(DirectoryConfiguration.load(confDirectory.resolve(DirectoryConfiguration.FILE_NAME)), serverRoot);
    }

    /** Starts the embedded server unless the configuration names an external one. */
    public static DirectoryConnection open(DirectoryConfiguration configuration, Path serverRoot) {
        if (configuration.isExternal()) {
            return new DirectoryConnection(configuration, Optional.empty(), configuration.adminPassword().orElseThrow());
        }
        EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, serverRoot);
        server.start();
        try {
            String password = configuration.adminPassword().isPresent()
                ? configuration.adminPassword().get()
                : Files.readString(server.adminPasswordFile(), StandardCharsets.UTF_8).strip();
            return new DirectoryConnection(configuration, Optional.of(server), password);
        } catch (IOException e) {
            server.stop();
            throw new EmbeddedDirectoryServer.DirectoryStartupException("Cannot read the directory administrator "
                + "password in " + server.adminPasswordFile() + ": set <adminPassword> in directory.xml", e);
        }
    }

    public DirectoryConfiguration configuration() {
        return configuration;
    }

    public Optional<EmbeddedDirectoryServer> embedded() {
        return embedded;
    }

    /** The URL the server's own connections use. */
    public String url() {
        return embedded.map(EmbeddedDirectoryServer::ldapUrl)
            .orElseGet(() -> configuration.external().orElseThrow().toString());
    }

    /** Connection settings of the users repository (and of every other server-side client of the directory). */
    public DirectoryUsersConfiguration usersConfiguration() {
        return DirectoryUsersConfiguration.of(url(), configuration.adminDn(), adminPassword, configuration.suffix());
    }

    /** A client of the directory (connection pool, persistent search) to close before the directory stops. */
    public synchronized void closeBeforeStop(AutoCloseable client) {
        clients.push(client);
    }

    /** Closes the clients, newest first, then stops the embedded server. */
    @Override
    public synchronized void close() {
        while (!clients.isEmpty()) {
            try {
                clients.pop().close();
            } catch (Exception e) {
                LOGGER.warn("Directory: error while closing a client", e);
            }
        }
        embedded.ifPresent(EmbeddedDirectoryServer::stop);
    }
}
