package org.switchboard.server.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory this server uses, per {@code conf/directory.xml}: the embedded ApacheDS (started by
 * {@link #open} or, in the background, by {@link #startInBackground}; stopped by {@link #close}) or an external LDAP
 * server, and the account the server binds with.
 *
 * <p>Everything that talks to the directory gets its connection settings from {@link #usersConfiguration()}, which
 * waits until the embedded server runs and fails with its start-up error when it could not start: so the server
 * can prepare everything else while ApacheDS starts, and nothing reaches the directory before it is up.
 */
public final class DirectoryConnection implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryConnection.class);
    // one class of each signed jar ApacheDS' TLS set-up loads: bcprov, bcpkix, bcutil
    private static final List<String> SIGNED_JAR_CLASSES = List.of("org.bouncycastle.jce.provider.BouncyCastleProvider",
        "org.bouncycastle.cert.X509v3CertificateBuilder", "org.bouncycastle.asn1.bsi.BSIObjectIdentifiers");
    private final DirectoryConfiguration configuration;
    private final Optional<EmbeddedDirectoryServer> embedded;
    /** The administrator's password, once the directory runs; completed exceptionally when it did not start. */
    private final CompletableFuture<String> adminPassword;
    private final Deque<AutoCloseable> clients = new ArrayDeque<>();

    private DirectoryConnection(DirectoryConfiguration configuration, Optional<EmbeddedDirectoryServer> embedded,
                                CompletableFuture<String> adminPassword) {
        this.configuration = configuration;
        this.embedded = embedded;
        this.adminPassword = adminPassword;
    }

    /** Reads {@code directory.xml} of the configuration directory (required: the directory holds the users). */
    public static DirectoryConnection open(Path serverRoot, Path confDirectory) {
        return open(DirectoryConfiguration.load(confDirectory.resolve(DirectoryConfiguration.FILE_NAME)), serverRoot);
    }

    /** Starts the embedded server unless the configuration names an external one; returns once it runs. */
    public static DirectoryConnection open(DirectoryConfiguration configuration, Path serverRoot) {
        DirectoryConnection connection = startInBackground(configuration, serverRoot);
        connection.awaitStarted();
        return connection;
    }

    /**
     * Reads {@code directory.xml} now (a bad file fails here) and starts the embedded server, unless the
     * configuration names an external one, on a thread of its own: {@link #awaitStarted()} waits for it.
     */
    public static DirectoryConnection startInBackground(Path serverRoot, Path confDirectory) {
        return startInBackground(DirectoryConfiguration.load(confDirectory.resolve(DirectoryConfiguration.FILE_NAME)),
            serverRoot);
    }

    static DirectoryConnection startInBackground(DirectoryConfiguration configuration, Path serverRoot) {
        if (configuration.isExternal()) {
            return new DirectoryConnection(configuration, Optional.empty(),
                CompletableFuture.completedFuture(configuration.adminPassword().orElseThrow()));
        }
        EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, serverRoot);
        verifySignedJarsAside();
        CompletableFuture<String> adminPassword = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                server.start();
                adminPassword.complete(readAdminPassword(configuration, server));
            } catch (Throwable e) {
                server.stop();
                adminPassword.completeExceptionally(e);
            }
        }, "directory-start");
        starter.setDaemon(true); // a failed start must not keep the JVM alive
        starter.start();
        return new DirectoryConnection(configuration, Optional.of(server), adminPassword);
    }

    /**
     * Loads (without initializing) a class of each signed BouncyCastle jar on a short-lived thread of its own. The
     * JVM checks a signed jar's signature over every entry when its first class loads; ApacheDS' TLS set-up would
     * do that on the directory's start thread, which the server waits for (a sixth of that thread's time), while
     * the checks can run beside the schema load.
     */
    private static void verifySignedJarsAside() {
        Thread verifier = new Thread(() -> {
            for (String signed : SIGNED_JAR_CLASSES) {
                try {
                    Class.forName(signed, false, DirectoryConnection.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError absent) {
                    LOGGER.debug("Not on the class path: {}", signed, absent);
                }
            }
        }, "signed-jars-check");
        verifier.setDaemon(true);
        verifier.start();
    }

    private static String readAdminPassword(DirectoryConfiguration configuration, EmbeddedDirectoryServer server) {
        if (configuration.adminPassword().isPresent()) {
            return configuration.adminPassword().get();
        }
        try {
            return Files.readString(server.adminPasswordFile(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new EmbeddedDirectoryServer.DirectoryStartupException("Cannot read the directory administrator "
                + "password in " + server.adminPasswordFile() + ": set <adminPassword> in directory.xml", e);
        }
    }

    /**
     * Waits until the directory runs.
     *
     * @throws EmbeddedDirectoryServer.DirectoryStartupException when the embedded server did not start (with the
     *                                                           reason it gave)
     */
    public void awaitStarted() {
        password();
    }

    /** The error that stopped the embedded server from starting, once its start is over and failed. */
    public Optional<Throwable> startFailure() {
        if (!adminPassword.isCompletedExceptionally()) {
            return Optional.empty();
        }
        try {
            adminPassword.join();
            return Optional.empty();
        } catch (CompletionException | CancellationException e) {
            return Optional.of(e.getCause() != null ? e.getCause() : e);
        }
    }

    private String password() {
        try {
            return adminPassword.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof EmbeddedDirectoryServer.DirectoryStartupException) {
                // a new exception for the waiting thread, with the start-up error's message and cause
                throw new EmbeddedDirectoryServer.DirectoryStartupException(cause.getMessage(), cause.getCause());
            }
            throw new EmbeddedDirectoryServer.DirectoryStartupException("The embedded directory server did not start: "
                + cause, cause);
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

    /**
     * Connection settings of the users repository (and of every other server-side client of the directory); waits
     * until the directory runs ({@link #awaitStarted()}).
     */
    public DirectoryUsersConfiguration usersConfiguration() {
        return DirectoryUsersConfiguration.of(url(), configuration.adminDn(), password(), configuration.suffix());
    }

    /** A client of the directory (connection pool, persistent search) to close before the directory stops. */
    public synchronized void closeBeforeStop(AutoCloseable client) {
        clients.push(client);
    }

    /**
     * Closes the clients, newest first, then stops the embedded server; a start still under way is waited for
     * first (ApacheDS cannot be stopped half-started).
     */
    @Override
    public void close() {
        try {
            adminPassword.join();
        } catch (CompletionException | CancellationException e) {
            // the start failed and stopped what it had started: there is nothing left to stop
        }
        synchronized (this) {
            while (!clients.isEmpty()) {
                try {
                    clients.pop().close();
                } catch (Exception e) {
                    LOGGER.warn("Directory: error while closing a client", e);
                }
            }
        }
        embedded.ifPresent(EmbeddedDirectoryServer::stop);
    }
}
