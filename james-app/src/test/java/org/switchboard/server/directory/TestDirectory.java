package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.ssl.SSLSession;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.switchboard.server.tls.SelfSignedCertificateBootstrap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

/**
 * A real embedded ApacheDS for tests, in a server root of its own (the test {@code directory.xml} on free ports, a
 * fresh self-signed key pair), and the LDAP clients the tests speak to it with.
 */
public final class TestDirectory implements AutoCloseable {
    public static final String SUFFIX = "dc=example,dc=com";

    private final Path root;
    private final EmbeddedDirectoryServer server;
    private final String adminPassword;

    private TestDirectory(Path root, EmbeddedDirectoryServer server, String adminPassword) {
        this.root = root;
        this.server = server;
        this.adminPassword = adminPassword;
    }

    /** Starts a directory in {@code root}, with the administrator password it generates. */
    public static TestDirectory start(Path root) throws Exception {
        EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration(root), root);
        server.start();
        return new TestDirectory(root, server,
            Files.readString(root.resolve(EmbeddedDirectoryServer.ADMIN_PASSWORD_FILE)));
    }

    /** The test {@code directory.xml} on two free ports, with a key pair under {@code root/conf/tls}. */
    static DirectoryConfiguration configuration(Path root) throws Exception {
        SelfSignedCertificateBootstrap.ensureExists(root.resolve("conf"));
        Path file = Path.of(TestDirectory.class.getResource("/directory.xml").toURI());
        return DirectoryConfiguration.load(file).withPorts(freePort(), freePort());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    Path root() {
        return root;
    }

    EmbeddedDirectoryServer server() {
        return server;
    }

    public String adminPassword() {
        return adminPassword;
    }

    public int ldapPort() {
        return server.configuration().ldapPort();
    }

    /** An anonymous connection to the LDAP port. */
    LDAPConnection connect() throws LDAPException {
        return new LDAPConnection("127.0.0.1", ldapPort());
    }

    /** A connection to the LDAP port after a successful StartTLS (any certificate trusted), checked to be ours. */
    LDAPConnection connectWithStartTls() throws Exception {
        LDAPConnection connection = connect();
        try {
            SSLUtil trustAll = new SSLUtil(new TrustAllTrustManager());
            assertThat(connection.processExtendedOperation(new StartTLSExtendedRequest(trustAll.createSSLContext()))
                .getResultCode()).isEqualTo(ResultCode.SUCCESS);
            assertTlsWithOurCertificate(connection);
            return connection;
        } catch (Exception | AssertionError e) {
            connection.close();
            throw e;
        }
    }

    LDAPConnection admin() throws LDAPException {
        return bind(EmbeddedDirectoryServer.ADMIN_DN, adminPassword);
    }

    public LDAPConnection bind(String dn, String password) throws LDAPException {
        return bind(ldapPort(), dn, password);
    }

    /** Connections bound as the administrator, as the server's own clients use them. */
    public LDAPConnectionPool adminPool() throws LDAPException {
        LDAPConnectionPool pool = new LDAPConnectionPool(new SingleServerSet("127.0.0.1", ldapPort()),
            new SimpleBindRequest(EmbeddedDirectoryServer.ADMIN_DN, adminPassword), 1, 8);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        return pool;
    }

    /** Checks that the connection is in TLS and that the server presented the certificate of {@code conf/tls}. */
    void assertTlsWithOurCertificate(LDAPConnection connection) throws Exception {
        SSLSession session = connection.getSSLSession();
        assertThat(session).as("a TLS session").isNotNull();
        assertThat(session.getProtocol()).isIn("TLSv1.2", "TLSv1.3");
        try (InputStream pem = Files.newInputStream(root.resolve(server.configuration().certificates()))) {
            Certificate ours = CertificateFactory.getInstance("X.509").generateCertificate(pem);
            assertThat(session.getPeerCertificates()[0]).isEqualTo(ours);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    /** A connection bound as {@code dn} on {@code port}; closed again when the bind fails. */
    static LDAPConnection bind(int port, String dn, String password) throws LDAPException {
        LDAPConnection connection = new LDAPConnection("127.0.0.1", port);
        try {
            connection.bind(dn, password);
        } catch (LDAPException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** The operation fails with this LDAP result code (a server that is down would give another). */
    static void assertRefused(ThrowingCallable operation, ResultCode expected) {
        assertThatThrownBy(operation).isInstanceOfSatisfying(LDAPException.class,
            e -> assertThat(e.getResultCode()).as(e.getMessage()).isEqualTo(expected));
    }

    /** The password binds as {@code dn}: the server says who the connection is (WhoAmI, RFC 4532). */
    static void assertBindsAs(int port, String dn, String password) throws LDAPException {
        try (LDAPConnection connection = bind(port, dn, password)) {
            WhoAmIExtendedResult whoAmI = (WhoAmIExtendedResult) connection.processExtendedOperation(
                new WhoAmIExtendedRequest());
            assertThat(whoAmI.getAuthorizationID()).isEqualToIgnoringCase("dn:" + dn);
        }
    }
}
