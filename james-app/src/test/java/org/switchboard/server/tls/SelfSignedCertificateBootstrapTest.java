package org.switchboard.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateBootstrapTest {
    @TempDir
    Path conf;

    @Test
    void generatesAPemPairReadableByTheOwnerOnly() throws Exception {
        SelfSignedCertificateBootstrap.ensureExists(conf);

        Path key = conf.resolve(SelfSignedCertificateBootstrap.PRIVATE_KEY);
        Path certificate = conf.resolve(SelfSignedCertificateBootstrap.CERTIFICATE);
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certificate)));
        assertThat(parsed.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void keepsAnExistingPair() throws Exception {
        SelfSignedCertificateBootstrap.ensureExists(conf);
        byte[] first = Files.readAllBytes(conf.resolve(SelfSignedCertificateBootstrap.PRIVATE_KEY));

        SelfSignedCertificateBootstrap.ensureExists(conf);

        assertThat(Files.readAllBytes(conf.resolve(SelfSignedCertificateBootstrap.PRIVATE_KEY))).isEqualTo(first);
    }
}
