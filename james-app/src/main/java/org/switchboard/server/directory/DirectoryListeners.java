package org.switchboard.server.directory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;

import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.ldap.LdapServer;
import org.apache.directory.server.ldap.handlers.extended.PwdModifyHandler;
import org.apache.directory.server.ldap.handlers.extended.StartTlsHandler;
import org.apache.directory.server.ldap.handlers.extended.WhoAmIHandler;
import org.apache.directory.server.protocol.shared.transport.TcpTransport;
import org.apache.directory.server.protocol.shared.transport.Transport;

/**
 * The embedded directory's LDAP listener (with StartTLS unless switched off) and LDAPS listener (unless its port
 * is 0), with the server's PEM key pair, the WhoAmI and Password Modify extended operations, and limits for
 * everyone but the administrator: searches return at most {@value #MAX_SIZE_LIMIT} entries and run at most
 * {@value #MAX_TIME_LIMIT_SECONDS} s; requests are at most {@value #MAX_PDU_SIZE} bytes.
 */
final class DirectoryListeners {
    /** Most entries a search by anyone but the administrator returns (then: sizeLimitExceeded). */
    static final int MAX_SIZE_LIMIT = 1000;
    /** Longest a search by anyone but the administrator runs (then: timeLimitExceeded). */
    static final int MAX_TIME_LIMIT_SECONDS = 30;
    /** Largest LDAP request accepted; a larger one closes the connection. */
    static final int MAX_PDU_SIZE = 2 * 1024 * 1024;

    private final DirectoryConfiguration configuration;
    private final Path keyStoreDirectory;
    private final char[] keyStorePassword;
    private final Optional<KeyStore> keyStore;

    /**
     * Reads the key pair when a listener needs TLS, so that a bad one fails before the directory starts.
     *
     * @param serverRoot        relative TLS paths of the configuration are resolved against it
     * @param keyStoreDirectory where the key store lives while the listeners start (ApacheDS reads it from a file)
     */
    DirectoryListeners(DirectoryConfiguration configuration, Path serverRoot, Path keyStoreDirectory) {
        this.configuration = configuration;
        this.keyStoreDirectory = keyStoreDirectory;
        this.keyStorePassword = RandomPassword.generate().toCharArray();
        this.keyStore = configuration.startTls() || configuration.ldapsPort() != 0
            ? Optional.of(PemKeyStore.load(serverRoot.resolve(configuration.privateKey()),
                serverRoot.resolve(configuration.certificates()), keyStorePassword))
            : Optional.empty();
    }

    /** Opens the listeners on the service; whatever opened is closed again when one fails. */
    LdapServer open(DirectoryService service) throws Exception {
        LdapServer server = new LdapServer();
        server.setServiceName("Switchboard directory");
        server.setDirectoryService(service);
        TcpTransport ldap = new TcpTransport(configuration.bindAddress(), configuration.ldapPort());
        Transport[] transports;
        if (configuration.ldapsPort() > 0) {
            TcpTransport ldaps = new TcpTransport(configuration.bindAddress(), configuration.ldapsPort());
            ldaps.setEnableSSL(true);
            transports = new Transport[] {ldap, ldaps};
        } else {
            transports = new Transport[] {ldap};
        }
        server.setTransports(transports);
        // for everyone but the administrator (ApacheDS does not limit the administrator's searches)
        server.setMaxSizeLimit(MAX_SIZE_LIMIT);
        server.setMaxTimeLimit(MAX_TIME_LIMIT_SECONDS);
        server.setMaxPDUSize(MAX_PDU_SIZE);
        server.addExtendedOperationHandler(new WhoAmIHandler());
        server.addExtendedOperationHandler(new PwdModifyHandler());
        if (configuration.startTls()) {
            server.addExtendedOperationHandler(new StartTlsHandler());
        }
        Path keyStoreFile = null;
        try {
            if (keyStore.isPresent()) {
                // ApacheDS reads its keys from a key store file, once, at start
                keyStoreFile = PemKeyStore.write(keyStore.get(), keyStorePassword, keyStoreDirectory);
                server.setKeystoreFile(keyStoreFile.toString());
                server.setCertificatePassword(new String(keyStorePassword));
            }
            server.start();
        } catch (Exception e) {
            try {
                server.stop(); // a listener left open keeps the JVM alive
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            if (keyStoreFile != null) {
                Files.deleteIfExists(keyStoreFile);
            }
        }
        return server;
    }

    /** For the start-up log line, e.g. {@code LDAP on 127.0.0.1:10389 (StartTLS), LDAPS on 127.0.0.1:10636}. */
    String describe() {
        StringBuilder text = new StringBuilder("LDAP on " + configuration.bindAddress() + ":" + configuration.ldapPort());
        if (configuration.startTls()) {
            text.append(" (StartTLS)");
        }
        if (configuration.ldapsPort() > 0) {
            text.append(", LDAPS on ").append(configuration.bindAddress()).append(':').append(configuration.ldapsPort());
        }
        return text.toString();
    }
}
