package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailets.preprocessor.antivirus.AntiVirus;
import org.switchboard.mailets.preprocessor.antivirus.TestMessages;

/**
 * The {@code AntiVirus} mailet against a real clamd (Debian's {@code clamav-daemon}) with a generated signature
 * database. This clamd has {@code ScanMail no}, so it does not parse mail itself: whatever it finds in an attachment,
 * an attached message or a uuencoded body was decoded by the mailet. Its {@code StreamMaxLength} is 1M, to meet the
 * size limit for real. Each test builds its own mailet (own connection state); clamd is shared.
 */
@Tag("interop")
class AntiVirusClamdIT {
    private static final String SENDER = "sender@outside.example.net";

    @TempDir
    static Path temp;
    private static Clamd clamd;

    private FakeMailContext context;

    @BeforeAll
    static void startClamd() throws Exception {
        clamd = Clamd.start(temp.resolve("clamd"), "ScanMail no", "StreamMaxLength 1M");
    }

    @AfterAll
    static void stopClamd() throws Exception {
        if (clamd != null) {
            clamd.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        context = FakeMailContext.defaultContext();
        clamd.start();
    }

    private AntiVirus mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("AntiVirus")
            .mailetContext(context)
            .setProperty("host", "127.0.0.1")
            .setProperty("port", Integer.toString(clamd.port()));
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        AntiVirus mailet = new AntiVirus();
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(String raw) throws MessagingException {
        byte[] bytes = raw.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        return FakeMail.builder().name("mail1").mimeMessage(message).sender(SENDER)
            .recipients("user@example.com").state("preprocess").build();
    }

    private static String header(Mail mail) throws MessagingException {
        String value = mail.getMessage().getHeader(AntiVirus.HEADER, null);
        return value == null ? null : MimeUtility.unfold(value);
    }

    /** The anti-virus mark that the pipeline acts on. */
    private static String status(Mail mail) {
        return mail.getAttribute(AttributeName.of(AntiVirus.STATUS)).map(attribute -> attribute.getValue().getValue())
            .map(Object::toString).orElse(null);
    }

    private static String base64(byte[] data) {
        return Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(data);
    }

    private static String withAttachment(String type, String name, String encoding, String content) {
        return """
            From: sender@outside.example.net
            To: user@example.com
            Subject: attachment
            Message-ID: <%s@outside.example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            See the attachment.
            --b1
            Content-Type: %s; name="%s"
            Content-Disposition: attachment; filename="%s"
            Content-Transfer-Encoding: %s

            %s
            --b1--
            """.formatted(name, type, name, name, encoding, content);
    }

    private static String eicarAttachment() {
        return withAttachment("application/octet-stream", "eicar.com", "base64",
            base64(Clamd.EICAR.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void cleanMailIsMarkedWithClamdsVersion() throws Exception {
        FakeMail mail = mail(withAttachment("text/plain", "notes.txt", "quoted-printable", "nothing=20here"));

        mailet().service(mail);

        assertThat(mail.getState()).isEqualTo("preprocess");
        assertThat(header(mail)).matches("clean \\(ClamAV \\d+\\.\\d+\\.\\d+.*\\)");
    }

    @Test
    void eicarInABase64AttachmentIsFound() throws Exception {
        FakeMail mail = mail(eicarAttachment());

        mailet().service(mail);

        assertThat(status(mail)).isEqualTo("infected");
        assertThat(mail.getState()).as("the pipeline acts, not the mailet").isEqualTo("preprocess");
        Mail stored = mail;
        assertThat(stored.getErrorMessage()).startsWith("AntiVirus: virus " + Clamd.EICAR_SIGNATURE)
            .contains("part 2 \"eicar.com\" (application/octet-stream)");
        assertThat(header(stored)).startsWith("infected: " + Clamd.EICAR_SIGNATURE).contains("(ClamAV ");
    }

    @Test
    void eicarInsideAnAttachedMessageIsFound() throws Exception {
        String forwarded = """
            From: forwarder@outside.example.net
            To: user@example.com
            Subject: Fwd: attachment
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain

            Forwarded.
            --fwd
            Content-Type: message/rfc822

            %s
            --fwd--
            """.formatted(eicarAttachment());
        FakeMail mail = mail(forwarded);

        mailet().service(mail);

        assertThat(mail.getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("part 2.2 \"eicar.com\"");
    }

    @Test
    void eicarInsideAZipIsFoundByClamdsArchiveSupport() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("docs/readme.txt"));
            out.write("harmless".getBytes(StandardCharsets.US_ASCII));
            out.putNextEntry(new ZipEntry("docs/eicar.com"));
            out.write(Clamd.EICAR.getBytes(StandardCharsets.US_ASCII));
        }
        FakeMail mail = mail(withAttachment("application/zip", "docs.zip", "base64", base64(zip.toByteArray())));

        mailet().service(mail);

        assertThat(mail.getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("\"docs.zip\"");
    }

    @Test
    void uuencodedEicarInANonMimeBodyIsFound() throws Exception {
        FakeMail mail = mail("""
            From: sender@outside.example.net
            To: user@example.com
            Subject: old style

            Here it is:

            %s""".formatted(TestMessages.uuencode("eicar.com", Clamd.EICAR.getBytes(StandardCharsets.US_ASCII))));

        mailet().service(mail);

        assertThat(mail.getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("uuencoded file 1");
    }

    @Test
    void customPatternInQuotedPrintableIsFound() throws Exception {
        FakeMail mail = mail(withAttachment("text/plain", "note.txt", "quoted-printable",
            "soft=\nbreak: " + Clamd.PATTERN.substring(0, 10) + "=\n" + Clamd.PATTERN.substring(10)));

        mailet().service(mail);

        assertThat(status(mail)).isEqualTo("infected");
        assertThat(mail.getErrorMessage()).contains(Clamd.PATTERN_SIGNATURE);
        assertThat(context.getSentMails()).as("no notice from the mailet: the pipeline sends it").isEmpty();
    }

    @Test
    void aPartOverClamdsStreamMaxLengthIsNotCompletelyScanned() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        FakeMail mail = mail(withAttachment("application/octet-stream", "big.bin", "base64", base64(big)));

        // maxScanSize above clamd's StreamMaxLength (a misconfiguration): clamd refuses, the mail is not held forever
        mailet("maxScanSize", "4M").service(mail);

        assertThat(status(mail)).isEqualTo("unscannable");
        assertThat(header(mail)).startsWith("unscanned: ").contains("StreamMaxLength");
    }

    @Test
    void aPartOverMaxScanSizeIsUnscannable() throws Exception {
        byte[] big = new byte[700 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        FakeMail mail = mail(withAttachment("application/octet-stream", "big.bin", "base64", base64(big)));

        mailet("maxScanSize", "512K").service(mail);

        assertThat(status(mail)).isEqualTo("unscannable");
        assertThat(mail.getErrorMessage()).contains("larger than maxScanSize (524288 bytes)");
    }

    @Test
    void stoppedClamdMarksTheMailUnavailableUntilItIsBack() throws Exception {
        AntiVirus mailet = mailet();
        FakeMail mail = mail(eicarAttachment());
        clamd.stop();

        mailet.service(mail);

        assertThat(status(mail)).isEqualTo("unavailable");
        assertThat(header(mail)).isEqualTo("unscanned: scanner unavailable");

        clamd.start();
        mailet.service(mail);

        assertThat(status(mail)).isEqualTo("infected");
        assertThat(mail.getErrorMessage()).contains(Clamd.EICAR_SIGNATURE);
    }

    @Test
    void frozenClamdTimesOutAndMarksTheMailUnavailable() throws Exception {
        AntiVirus mailet = mailet("timeout", "2s");
        FakeMail mail = mail(eicarAttachment());
        clamd.freeze();
        try {
            long start = System.nanoTime();
            mailet.service(mail);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            clamd.thaw();
        }
        assertThat(status(mail)).isEqualTo("unavailable");

        mailet.service(mail);

        assertThat(status(mail)).isEqualTo("infected");
    }
}
