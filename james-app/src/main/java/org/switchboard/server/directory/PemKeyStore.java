package org.switchboard.server.directory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the server's PEM key pair (unencrypted PKCS#8 private key, certificate chain) into a PKCS#12 key store: the
 * one ApacheDS reads, and the one-click unsubscribe endpoint's. ApacheDS only loads a key store from a file, at start:
 * the file is written with owner-only permissions and a random password, and deleted by the caller once the listeners
 * are up.
 */
public final class PemKeyStore {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
        "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");
    static final String ALIAS = "switchboard";

    private PemKeyStore() {
    }

    public static KeyStore load(Path privateKeyFile, Path certificateFile, char[] password) {
        PrivateKey key = privateKey(privateKeyFile);
        Certificate[] chain = certificates(certificateFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot build a key store from " + privateKeyFile + " and "
                + certificateFile + ": " + e.getMessage(), e);
        }
    }

    /** Writes the key store to a new owner-only file in {@code directory} and returns it. */
    static Path write(KeyStore store, char[] password, Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = Files.createTempFile(directory, "tls", ".p12",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        } catch (GeneralSecurityException e) {
            Files.deleteIfExists(file);
            throw new IOException("Cannot write the directory's temporary key store: " + e.getMessage(), e);
        }
        return file;
    }

    private static PrivateKey privateKey(Path file) {
        String pem = read(file, "private key");
        Matcher matcher = PRIVATE_KEY.matcher(pem);
        if (!matcher.find()) {
            throw new IllegalStateException(file + ": expected an unencrypted PKCS#8 PEM private key"
                + " (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new IllegalStateException(file + ": unsupported private key algorithm (expected one of "
            + KEY_ALGORITHMS + ")");
    }

    private static Certificate[] certificates(Path file) {
        String pem = read(file, "certificate");
        try {
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (chain.isEmpty()) {
                throw new IllegalStateException(file + ": no certificate found");
            }
            return chain.toArray(new Certificate[0]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + ": not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the TLS " + what + " " + file + ": " + e, e);
        }
    }
}
