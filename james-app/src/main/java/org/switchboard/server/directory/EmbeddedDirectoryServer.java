package org.switchboard.server.directory;

import java.nio.file.Path;

import org.apache.directory.server.constants.ServerDNConstants;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.ldap.LdapServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded directory: ApacheDS 2.0.0.AM27 running inside the server's JVM. This class runs its lifecycle; each
 * step of a start is a class of its own.
 *
 * <p>Its instance lives in {@value #INSTANCE_DIRECTORY} ({@link DirectoryServiceFactory}). The first start loads
 * Switchboard's schema ({@link DirectorySchemaInstaller}), creates the DIT ({@link DitBootstrap}) and replaces
 * ApacheDS' well-known administrator password with a configured or a generated one ({@link AdminPassword}), all
 * through the core API before any listener opens; later starts find everything in place and change nothing. Access
 * control is put back at every start ({@link DirectoryAccessControl}). Then the LDAP listener (with StartTLS) and
 * the LDAPS listener open on the configured address, with the server's PEM key pair ({@link DirectoryListeners}).
 *
 * <p>{@link #start()} stops whatever it had started when it fails, and {@link #stop()} can always be called: an
 * ApacheDS listener left running keeps the JVM alive.
 */
public final class EmbeddedDirectoryServer implements AutoCloseable {
    public static final String INSTANCE_DIRECTORY = "var/store/directory";
    public static final String ADMIN_PASSWORD_FILE = "var/directory-admin.password";
    public static final String ADMIN_DN = ServerDNConstants.ADMIN_SYSTEM_DN;
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedDirectoryServer.class);

    private final DirectoryConfiguration configuration;
    private final Path serverRoot;
    private final Path instanceDirectory;
    private final DirectoryServiceFactory serviceFactory;
    private DirectoryService directoryService;
    private LdapServer ldapServer;

    /**
     * @param serverRoot the server's home: {@code var/} and the relative TLS paths of the configuration are
     *                   resolved against it
     */
    public EmbeddedDirectoryServer(DirectoryConfiguration configuration, Path serverRoot) {
        this.configuration = configuration;
        this.serverRoot = serverRoot.toAbsolutePath();
        this.instanceDirectory = this.serverRoot.resolve(INSTANCE_DIRECTORY);
        this.serviceFactory = new DirectoryServiceFactory(instanceDirectory, configuration);
    }

    /**
     * Starts the directory and its listeners; does nothing when the configuration names an external server.
     *
     * @throws DirectoryStartupException when it cannot start; whatever was started is stopped again
     */
    public synchronized void start() {
        if (configuration.isExternal()) {
            LOGGER.info("Directory: using the external LDAP server {}, no embedded server started",
                configuration.external().get());
            return;
        }
        if (directoryService != null) {
            throw new IllegalStateException("The embedded directory server is already started");
        }
        long begin = System.nanoTime();
        try {
            DirectoryListeners listeners = new DirectoryListeners(configuration, serverRoot,
                instanceDirectory.resolve("run")); // reads the key pair: fails early on a bad one
            directoryService = serviceFactory.start();
            DirectorySchemaInstaller.ensure(directoryService, this::restartDirectoryService);
            DitBootstrap.ensure(directoryService, configuration);
            DirectoryAccessControl.ensure(directoryService, configuration.suffix(), configuration.allowAnonymousAccess());
            AdminPassword.ensure(directoryService, configuration.adminPassword(), adminPasswordFile());
            ldapServer = listeners.open(directoryService);
            LOGGER.info("Directory: ApacheDS started in {} ms, suffix {}, {}", (System.nanoTime() - begin) / 1_000_000,
                configuration.suffix(), listeners.describe());
        } catch (Exception e) {
            stop();
            throw new DirectoryStartupException("The embedded directory server did not start: " + e.getMessage(), e);
        }
    }

    /** Stops the listeners, then the directory service. Safe to call at any time, any number of times. */
    public synchronized void stop() {
        if (ldapServer != null) {
            try {
                ldapServer.stop();
            } catch (RuntimeException e) {
                LOGGER.warn("Directory: error while stopping the LDAP listeners", e);
            }
            ldapServer = null;
        }
        if (directoryService != null) {
            try {
                if (directoryService.isStarted()) {
                    directoryService.shutdown();
                }
            } catch (Exception e) {
                LOGGER.warn("Directory: error while stopping ApacheDS", e);
            }
            directoryService = null;
            LOGGER.info("Directory: ApacheDS stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return ldapServer != null && ldapServer.isStarted();
    }

    public DirectoryConfiguration configuration() {
        return configuration;
    }

    /** The URL clients use: the external server's, or {@code ldap://<bindAddress>:<ldapPort>}. */
    public String ldapUrl() {
        return configuration.external().map(Object::toString)
            .orElse("ldap://" + hostForUrl(configuration.bindAddress()) + ":" + configuration.ldapPort());
    }

    public Path adminPasswordFile() {
        return serverRoot.resolve(ADMIN_PASSWORD_FILE);
    }

    /** The running ApacheDS service, for in-process administration (null when stopped). */
    public synchronized DirectoryService directoryService() {
        return directoryService;
    }

    /** The running LDAP listeners (null when stopped): for tests. */
    synchronized LdapServer ldapServer() {
        return ldapServer;
    }

    /** Some schema changes only apply after a restart of the directory service (no listener is open yet). */
    private DirectoryService restartDirectoryService() throws Exception {
        directoryService.shutdown();
        directoryService = serviceFactory.start();
        return directoryService;
    }

    private static String hostForUrl(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** The embedded directory failed to start (and was stopped again). */
    public static final class DirectoryStartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DirectoryStartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
