package org.switchboard.server.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The directory this server uses, per {@code conf/directory.xml}: the embedded ApacheDS (started by
 * {@link #open}, stopped by {@link #close}) or an external LDAP server, and the account the server binds with.
 */
public final class DirectoryConnection implements AutoCloseable {
    private final DirectoryConfiguration configuration;
    private final Optional<EmbeddedDirectoryServer> embedded;
    private final String adminPassword;

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

    @Override
    public void close() {
        embedded.ifPresent(EmbeddedDirectoryServer::stop);
    }
}
