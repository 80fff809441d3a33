package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.PipelineEditor;
import org.switchboard.it.SmtpClient;
import org.switchboard.it.SmtpClient.Reply;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;
import org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures;

/**
 * Signed mail through a server whose pipeline adds a disclaimer to all mail: OpenSSL still verifies the S/MIME
 * signature and GnuPG the inline PGP one, as the message arrives over IMAP. A copy with one octet of its signed text
 * changed fails both, so the checks have teeth.
 *
 * <p>Needs the Debian packages openssl and gnupg; without them the class fails and names them.
 */
@Tag("interop")
class DisclaimerInteropIT {
    private static final String DOMAIN = "example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "bob-Secret-9";
    private static final String SENDER = "sender@origin.example";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<Program> PROGRAMS = List.of(new Program("openssl", "openssl"), new Program("gpg", "gnupg"));

    @TempDir
    static Path temp;
    static PackagedServer server;
    static Path work;

    @BeforeAll
    static void startServer() throws Exception {
        DebianPrograms.requireAll(PROGRAMS, Map.of());
        work = Files.createDirectories(temp.resolve("work"));
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        PipelineEditor pipeline = PipelineEditor.of(server);
        pipeline.processor("preprocess").mailetHandingTo("transport").insertBefore("""
            <mailet match="All" class="org.switchboard.mailets.preprocessor.disclaimer.Disclaimer">
                <textFile>file://conf/disclaimer.txt</textFile>
                <htmlFile>file://conf/disclaimer.html</htmlFile>
            </mailet>""");
        pipeline.save();
        server.startWith(DOMAIN, PASSWORD, BOB);
    }

    @AfterAll
    static void stopServer() throws Exception {
        PackagedServer.closeKeepingLog(server, "DisclaimerInteropIT");
    }

    @Test
    void opensslVerifiesTheSmimeSignatureOfTheDeliveredMessage() throws Exception {
        Path ca = copyResource("smime-nss-TestCA.pem");
        Path delivered = Files.write(work.resolve("smime.eml"), deliver("smime-nss-alice.dsig.SHA256.multipart.eml"));
        Outcome verify = openssl(delivered, ca);
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
        assertThat(verify.output()).contains("Verification successful");

        Path tampered = Files.write(work.resolve("smime-tampered.eml"), tamper(Files.readAllBytes(delivered),
            "This is a test message from Alice to Bob.", "This is a test message from Alice to Rob."));
        Outcome refused = openssl(tampered, ca);
        assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
    }

    @Test
    void gnupgVerifiesTheInlineSignatureOfTheDeliveredMessage() throws Exception {
        Path home = Files.createDirectories(work.resolve("gnupg"));
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path key = copyResource("pgp-key-alice@openpgp.example-pub.asc");
        Outcome imported = DebianPrograms.run(work, Map.of(), TIMEOUT,
            List.of("gpg", "--homedir", home.toString(), "--batch", "--import", key.toString()));
        assertThat(imported.exitCode()).as(imported.describe()).isZero();

        Path delivered = Files.write(work.resolve("pgp.eml"), deliver("pgp-tb-alice-signed.eml"));
        Outcome verify = gpgVerify(home, delivered);
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
        assertThat(verify.output()).contains("Good signature from \"Alice Lovelace <alice@openpgp.example>\"");

        Path tampered = Files.write(work.resolve("pgp-tampered.eml"),
            tamper(Files.readAllBytes(delivered), "can we meet tomorrow?", "can we meet today?"));
        Outcome refused = gpgVerify(home, tampered);
        assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
    }

    private static Outcome openssl(Path message, Path ca) {
        return DebianPrograms.run(work, Map.of(), TIMEOUT, List.of("openssl", "smime", "-verify", "-in",
            message.toString(), "-CAfile", ca.toString(), "-no_check_time", "-out", "/dev/null"));
    }

    private static Outcome gpgVerify(Path home, Path message) {
        return DebianPrograms.run(work, Map.of(), TIMEOUT,
            List.of("gpg", "--homedir", home.toString(), "--batch", "--verify", message.toString()));
    }

    private static byte[] tamper(byte[] message, String from, String to) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        assertThat(text).contains(from);
        return text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Path copyResource(String name) throws IOException {
        try (InputStream in = DisclaimerInteropIT.class.getResourceAsStream("/mime/" + name)) {
            assertThat(in).as("test resource /mime/%s", name).isNotNull();
            Path file = work.resolve(name);
            Files.write(file, in.readAllBytes());
            return file;
        }
    }

    /** Sends the test message to bob over SMTP; returns it as IMAP gives it back, trace fields of delivery removed. */
    private static byte[] deliver(String name) throws Exception {
        byte[] message = MailAccess.toCrlf(concat(("X-Test-Id: " + name + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
            MimeFixtures.resource(name)));
        try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.2", server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply done = smtp.send(SENDER, BOB, message);
            assertThat(done.code()).as("%s: %s", name, done).isEqualTo(250);
            smtp.quit();
        }
        byte[] marker = ("X-Test-Id: " + name + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] delivered = await(name + " delivered").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
            .ignoreExceptions().until(() -> {
                for (ImapMessage candidate : MailAccess.imapInbox(server.imapPort, BOB, PASSWORD)) {
                    if (MailAccess.contains(candidate.raw(), marker)) {
                        return candidate.raw();
                    }
                }
                return null;
            }, raw -> raw != null);
        return MailAccess.withoutPrependedTrace(delivered, SENDER, BOB);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
