package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
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
import org.switchboard.mailets.preprocessor.antivirus.FakeMailRepositoryStore;
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
    private static final String QUARANTINE = "memory://var/mail/quarantine/";

    @TempDir
    static Path temp;
    private static Clamd clamd;

    private FakeMailRepositoryStore repositories;
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
        repositories = new FakeMailRepositoryStore();
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@example.com")).build();
        clamd.start();
    }

    private AntiVirus mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("AntiVirus")
            .mailetContext(context)
            .setProperty("host", "127.0.0.1")
            .setProperty("port", Integer.toString(clamd.port()))
            .setProperty("action", "archive")
            .setProperty("quarantineRepository", QUARANTINE)
            .setProperty("onMailetException", "antivirus-unavailable");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        AntiVirus mailet = new AntiVirus(repositories);
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

    /** The one mail of the quarantine (failing when there is none or more). */
    private Mail quarantined() throws Exception {
        MailRepository repository = repositories.select(MailRepositoryUrl.from(QUARANTINE));
        List<Mail> mails = new ArrayList<>();
        for (var keys = repository.list(); keys.hasNext(); ) {
            mails.add(repository.retrieve(keys.next()));
        }
        assertThat(mails).hasSize(1);
        return mails.get(0);
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

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        Mail stored = quarantined();
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

        assertThat(quarantined().getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("part 2.2 \"eicar.com\"");
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

        assertThat(quarantined().getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("\"docs.zip\"");
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

        assertThat(quarantined().getErrorMessage()).contains(Clamd.EICAR_SIGNATURE).contains("uuencoded file 1");
    }

    @Test
    void customPatternInQuotedPrintableIsFound() throws Exception {
        FakeMail mail = mail(withAttachment("text/plain", "note.txt", "quoted-printable",
            "soft=\nbreak: " + Clamd.PATTERN.substring(0, 10) + "=\n" + Clamd.PATTERN.substring(10)));

        mailet("action", "delete").service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).singleElement().satisfies(notice ->
            assertThat(notice.getMsg().getSubject()).startsWith("Virus found, mail deleted: " + Clamd.PATTERN_SIGNATURE));
    }

    @Test
    void aPartOverClamdsStreamMaxLengthIsNotCompletelyScanned() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        FakeMail mail = mail(withAttachment("application/octet-stream", "big.bin", "base64", base64(big)));

        // maxScanSize above clamd's StreamMaxLength (a misconfiguration): clamd refuses, the mail is not held forever
        mailet("maxScanSize", "4M", "unscannable", "deliver").service(mail);

        assertThat(mail.getState()).isEqualTo("preprocess");
        assertThat(header(mail)).startsWith("unscanned: ").contains("StreamMaxLength");
    }

    @Test
    void aPartOverMaxScanSizeIsArchived() throws Exception {
        byte[] big = new byte[700 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        FakeMail mail = mail(withAttachment("application/octet-stream", "big.bin", "base64", base64(big)));

        mailet("maxScanSize", "512K").service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(quarantined().getErrorMessage()).contains("larger than maxScanSize (524288 bytes)");
    }

    @Test
    void stoppedClamdHoldsTheMailUntilItIsBack() throws Exception {
        AntiVirus mailet = mailet();
        FakeMail mail = mail(eicarAttachment());
        clamd.stop();

        assertThatThrownBy(() -> mailet.service(mail))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("held for a later attempt")
            .hasMessageContaining("127.0.0.1:" + clamd.port());
        assertThat(mail.getState()).isEqualTo("preprocess");
        assertThat(header(mail)).isNull();

        clamd.start();
        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(quarantined().getErrorMessage()).contains(Clamd.EICAR_SIGNATURE);
    }

    @Test
    void frozenClamdTimesOutAndHoldsTheMail() throws Exception {
        AntiVirus mailet = mailet("timeout", "2s");
        FakeMail mail = mail(eicarAttachment());
        clamd.freeze();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> mailet.service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("did not answer")
                .hasMessageContaining("held for a later attempt");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            clamd.thaw();
        }
        assertThat(mail.getState()).isEqualTo("preprocess");

        mailet.service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }
}
