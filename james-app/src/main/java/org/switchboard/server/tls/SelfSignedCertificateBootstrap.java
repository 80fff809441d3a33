package org.switchboard.server.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.ssl.util.SelfSignedCertificate;

/**
 * Makes sure the PEM key pair named by the protocol servers' {@code <tls>} sections exists. On first start it
 * generates a self-signed pair for this host, readable by the owner only, so STARTTLS works out of the box
 * without a well-known key; administrators replace the two files with their own certificate.
 */
public final class SelfSignedCertificateBootstrap {
    private static final Logger LOGGER = LoggerFactory.getLogger(SelfSignedCertificateBootstrap.class);
    public static final String PRIVATE_KEY = "tls/private.key";
    public static final String CERTIFICATE = "tls/certificate.pem";

    private SelfSignedCertificateBootstrap() {
    }

    public static void ensureExists(Path confDirectory) throws IOException, CertificateException {
        Path key = confDirectory.resolve(PRIVATE_KEY);
        Path certificate = confDirectory.resolve(CERTIFICATE);
        if (Files.exists(key) && Files.exists(certificate)) {
            return;
        }
        String hostName = InetAddress.getLocalHost().getCanonicalHostName();
        SelfSignedCertificate generated = new SelfSignedCertificate(hostName, new SecureRandom(), 2048);
        try {
            Files.createDirectories(key.getParent());
            Path keyTemp = Files.createTempFile(key.getParent(), "key", ".tmp");
            Files.setPosixFilePermissions(keyTemp, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(keyTemp, pem("PRIVATE KEY", generated.key().getEncoded()), StandardCharsets.US_ASCII);
            Files.move(keyTemp, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(certificate, pem("CERTIFICATE", generated.cert().getEncoded()), StandardCharsets.US_ASCII);
        } finally {
            generated.delete();
        }
        LOGGER.warn("Generated a self-signed TLS certificate for {} in {}: replace it with a certificate clients trust",
            hostName, certificate);
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
