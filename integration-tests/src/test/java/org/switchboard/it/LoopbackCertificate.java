package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;

/**
 * A TLS key pair for 127.0.0.1 (JDK keytool), written where a packaged server reads its own ({@code conf/tls}) in
 * place of the one it makes at first start, which names the machine's host name: clients that check the name of
 * the host they connect to accept this one.
 */
final class LoopbackCertificate {
    private LoopbackCertificate() {
    }

    /** Writes {@code private.key} and {@code certificate.pem} into {@code tls}; returns the certificate's PEM file. */
    static Path writeTo(Path tls, Path workDirectory) throws Exception {
        Files.createDirectories(tls);
        Path store = Files.createTempFile(workDirectory, "loopback", ".p12");
        Files.delete(store);
        PackagedServer.Result result = PackagedServer.run(workDirectory, Duration.ofMinutes(1),
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "loopback",
            "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
            "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
            "-keypass", "changeit");
        assertThat(result.exitCode()).as(result.output()).isZero();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        Key key = keyStore.getKey("loopback", "changeit".toCharArray());
        Files.writeString(tls.resolve("private.key"), pem("PRIVATE KEY", key.getEncoded()));
        Path certificate = tls.resolve("certificate.pem");
        Files.writeString(certificate, pem("CERTIFICATE", keyStore.getCertificate("loopback").getEncoded()));
        return certificate;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
