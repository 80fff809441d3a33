package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.PipelineEditor;
import org.switchboard.it.SmtpClient;
import org.switchboard.it.SmtpClient.Reply;

/**
 * The anti-virus of the packaged server against a real clamd (Debian's {@code clamav-daemon}, generated signatures):
 * the shipped {@code conf/mailetcontainer.xml} with its anti-virus turned on as the comment says, pointed at this
 * clamd: the mailet marks, the pipeline acts. One boot shows the three actions for infected mail: the shipped one
 * (VirusDelete: notice to the postmaster, mail deleted) for {@code delete@}, and the two variants the shipped comment
 * describes, routed by recipient: {@code bounce@} (bounce to the sender), {@code archive@} (quarantine repository, seen
 * through WebAdmin). EICAR travels base64-encoded as an attachment, and inside an attached message. Then clamd stops:
 * a clean mail waits in the spool, each attempt one WARN line, and arrives once clamd is back.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AntiVirusInteropIT {
    private static final String DOMAIN = "example.com";
    private static final String PASSWORD = "Av-Secret-4242";
    private static final String POSTMASTER = "postmaster@" + DOMAIN;
    private static final String SENDER = "sender@" + DOMAIN;
    private static final String DELETE = "delete@" + DOMAIN;
    private static final String BOUNCE = "bounce@" + DOMAIN;
    private static final String ARCHIVE = "archive@" + DOMAIN;
    private static final String CAROL = "carol@" + DOMAIN;
    private static final String REMOTE_SENDER = "mallory@outside.example.net";
    private static final String HEADER = "X-Switchboard-Virus-Scan";
    private static final String AV_CLASS = "org.switchboard.mailets.preprocessor.antivirus.AntiVirus";
    private static final String INFECTED = "HasMailAttributeWithValue=org.switchboard.antivirus.status,infected";
    private static final String QUARANTINE = "/mailRepositories/var%2Fmail%2Fquarantine";
    /** The anti-virus' log line for each attempt that found clamd unavailable. */
    private static final Pattern HELD = Pattern.compile(
        " WARN .*AntiVirus - Anti-virus, mail \\S+: not scanned, clamd at 127\\.0\\.0\\.1:\\d+ unavailable \\(.*\\);"
            + " marked unavailable: the pipeline holds it for a later attempt\\n");
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    private static Clamd clamd;
    private static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        clamd = Clamd.start(temp.resolve("clamd"));
        server = PackagedServer.unpack(temp);
        PipelineEditor pipeline = PipelineEditor.of(server).postmaster(POSTMASTER);
        // turn the shipped anti-virus on, as its comment tells the administrator
        PipelineEditor.Processor preprocess = pipeline.processor("preprocess");
        preprocess.uncomment(AV_CLASS).parameter("port", Integer.toString(clamd.port()));
        // the VirusBounce and VirusArchive variants of the shipped comment, for one recipient each
        preprocess.mailetMatching(INFECTED)
            .insertBefore(variant(BOUNCE, "test-virus-bounce") + variant(ARCHIVE, "test-virus-archive"));
        pipeline.addProcessor("""
                <processor state="test-virus-bounce" enableJmx="false">
                    <mailet match="All" class="Bounce">
                        <notice>Your message was not delivered: the anti-virus found a virus in it</notice>
                        <attachment>heads</attachment>
                        <passThrough>false</passThrough>
                    </mailet>
                </processor>""");
        pipeline.addProcessor("""
                <processor state="test-virus-archive" enableJmx="false">
                    <mailet match="All" class="NotifyPostmaster">
                        <prefix>[Virus found, archived]</prefix>
                        <notice>Kept in /mailRepositories/var%2Fmail%2Fquarantine/mails</notice>
                        <attachment>heads</attachment>
                        <fakeDomainCheck>false</fakeDomainCheck>
                    </mailet>
                    <mailet match="All" class="ToRepository">
                        <repositoryPath>jpa://var/mail/quarantine/</repositoryPath>
                    </mailet>
                </processor>""");
        // a held mail is tried again after 2 seconds instead of a minute
        pipeline.processor("antivirus-unavailable").mailetOfClass("Requeue").parameter("delay", "2s");
        pipeline.save();
        server.startWith(DOMAIN, PASSWORD, POSTMASTER, SENDER, DELETE, BOUNCE, ARCHIVE, CAROL);
    }

    private static String variant(String recipient, String processor) {
        return """
            <matcher name="%1$s" match="org.apache.james.mailetcontainer.impl.matchers.And">
                <matcher match="RecipientIs=%2$s"/>
                <matcher match="%3$s"/>
            </matcher>
            <mailet match="%1$s" class="ToProcessor"><processor>%1$s</processor></mailet>
            """.formatted(processor, recipient, INFECTED);
    }

    @AfterAll
    static void shutdown() throws Exception {
        try {
            PackagedServer.closeKeepingLog(server, "AntiVirusInteropIT");
        } finally {
            if (clamd != null) {
                clamd.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- messages

    private static String eicarAttachment(String from, String to, String subject, String messageId) {
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(Clamd.EICAR.getBytes(StandardCharsets.US_ASCII));
        return """
            From: %s
            To: %s
            Subject: %s
            Message-ID: %s
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            Please open the attachment.
            --b1
            Content-Type: application/octet-stream; name="invoice.com"
            Content-Disposition: attachment; filename="invoice.com"
            Content-Transfer-Encoding: base64

            %s
            --b1--
            """.formatted(from, to, subject, messageId, base64);
    }

    private static String forwarded(String from, String to, String subject, String messageId) {
        return """
            From: %s
            To: %s
            Subject: %s
            Message-ID: %s
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain

            Forwarded message below.
            --fwd
            Content-Type: message/rfc822

            %s
            --fwd--
            """.formatted(from, to, subject, messageId,
            eicarAttachment("someone@elsewhere.example.org", from, "the original", "<" + UUID.randomUUID() + "@x>"));
    }

    private static String clean(String to, String subject, String messageId) {
        return """
            From: %s
            To: %s
            Subject: %s
            Message-ID: %s
            %s: clean (forged by the sender)

            Nothing to see here.
            """.formatted(REMOTE_SENDER, to, subject, messageId, HEADER);
    }

    private static void send(String from, String to, String message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply reply = smtp.send(from, to, message.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(reply.code()).as("reply to the final dot: %s", reply).isEqualTo(250);
            smtp.quit();
        }
    }

    private static ImapMessage awaitMessage(String user, String messageIdOrSubject) {
        return await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(
            () -> MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream()
                .filter(message -> message.text().contains(messageIdOrSubject)).findFirst().orElse(null),
            message -> message != null);
    }

    private static List<ImapMessage> inbox(String user) throws Exception {
        return MailAccess.imapInbox(server.imapPort, user, PASSWORD);
    }

    private static String headerValue(ImapMessage message) {
        Matcher matcher = Pattern.compile("(?m)^" + HEADER + ":\\s*(.*(?:\\r\\n[ \\t].*)*)").matcher(message.text());
        return matcher.find() ? matcher.group(1).replaceAll("\\r\\n[ \\t]+", " ") : null;
    }

    private static long count(String text, String needle) {
        return count(text, Pattern.compile(Pattern.quote(needle)));
    }

    private static long count(String text, Pattern pattern) {
        return pattern.matcher(text).results().count();
    }

    // ---------------------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    void cleanMailIsDeliveredWithTheScanResultAndNotTheForgedOne() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@outside.example.net>";
        send(REMOTE_SENDER, CAROL, clean(CAROL, "clean one", messageId));

        ImapMessage delivered = awaitMessage(CAROL, messageId);

        assertThat(count(delivered.text(), HEADER + ":")).as(delivered.text()).isEqualTo(1);
        assertThat(headerValue(delivered)).matches("clean \\(ClamAV \\d+\\.\\d+\\.\\d+.*\\)");
    }

    @Test
    @Order(2)
    void deleteDropsTheMailAndNotifiesThePostmaster() throws Exception {
        String attached = "<" + UUID.randomUUID() + "@outside.example.net>";
        String nested = "<" + UUID.randomUUID() + "@outside.example.net>";
        send(REMOTE_SENDER, DELETE, eicarAttachment(REMOTE_SENDER, DELETE, "invoice to delete", attached));
        send(REMOTE_SENDER, DELETE, forwarded(REMOTE_SENDER, DELETE, "forward to delete", nested));

        for (String messageId : List.of(attached, nested)) {
            ImapMessage notice = awaitMessage(POSTMASTER, messageId);
            assertThat(notice.text()).contains("Subject: [Virus found]", "did not deliver it: the mail was deleted",
                "virus " + Clamd.EICAR_SIGNATURE, REMOTE_SENDER, DELETE, "ClamAV ")
                .doesNotContain("EICAR-STANDARD-ANTIVIRUS-TEST-FILE");
        }
        assertThat(inbox(DELETE)).as("nothing delivered to " + DELETE).isEmpty();
    }

    @Test
    @Order(3)
    void bounceSendsADeliveryStatusNotificationToTheSender() throws Exception {
        String attached = "<" + UUID.randomUUID() + "@example.com>";
        String nested = "<" + UUID.randomUUID() + "@example.com>";
        send(SENDER, BOUNCE, eicarAttachment(SENDER, BOUNCE, "invoice to bounce", attached));
        send(SENDER, BOUNCE, forwarded(SENDER, BOUNCE, "forward to bounce", nested));

        for (String messageId : List.of(attached, nested)) {
            ImapMessage bounce = awaitMessage(SENDER, messageId);
            assertThat(bounce.text()).contains("the anti-virus found a virus in it", "virus " + Clamd.EICAR_SIGNATURE,
                "Return-Path: <>")
                .doesNotContain("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
                .doesNotContain(Base64.getEncoder().encodeToString(Clamd.EICAR.getBytes(StandardCharsets.US_ASCII))
                    .substring(0, 40));
        }
        assertThat(inbox(BOUNCE)).as("nothing delivered to " + BOUNCE).isEmpty();
    }

    @Test
    @Order(4)
    void archiveKeepsTheMailInTheQuarantineRepository() throws Exception {
        String attached = "<" + UUID.randomUUID() + "@outside.example.net>";
        String nested = "<" + UUID.randomUUID() + "@outside.example.net>";
        send(REMOTE_SENDER, ARCHIVE, eicarAttachment(REMOTE_SENDER, ARCHIVE, "invoice to archive", attached));
        send(REMOTE_SENDER, ARCHIVE, forwarded(REMOTE_SENDER, ARCHIVE, "forward to archive", nested));

        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(
            () -> MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, QUARANTINE)) == 2);
        String listing = MailAccess.webAdmin(server.webAdminPort, QUARANTINE + "/mails");
        Matcher keys = Pattern.compile("\"([^\"]+)\"").matcher(listing);
        int details = 0;
        while (keys.find()) {
            String mail = MailAccess.webAdmin(server.webAdminPort, QUARANTINE + "/mails/"
                + java.net.URLEncoder.encode(keys.group(1), StandardCharsets.UTF_8).replace("+", "%20"));
            assertThat(mail).contains(Clamd.EICAR_SIGNATURE).contains(ARCHIVE);
            details++;
        }
        assertThat(details).as(listing).isEqualTo(2);
        for (String messageId : List.of(attached, nested)) {
            assertThat(awaitMessage(POSTMASTER, messageId).text())
                .contains("Subject: [Virus found, archived]", "var%2Fmail%2Fquarantine", Clamd.EICAR_SIGNATURE);
        }
        assertThat(inbox(ARCHIVE)).as("nothing delivered to " + ARCHIVE).isEmpty();
    }

    @Test
    @Order(5)
    void mailWaitsWhileClamdIsDownAndArrivesWhenItIsBack() throws Exception {
        long heldBefore = count(server.log(), HELD);
        clamd.stop();
        String messageId = "<" + UUID.randomUUID() + "@outside.example.net>";
        try {
            send(REMOTE_SENDER, CAROL, clean(CAROL, "while clamd is down", messageId));

            // held, and held again at the next attempt (2 s later): the mail stays in the spool
            await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
                .until(() -> count(server.log(), HELD) >= heldBefore + 2);
            assertThat(inbox(CAROL)).noneMatch(message -> message.text().contains(messageId));
            assertThat(server.log()).as("an expected condition: no mailet exception, no stack trace")
                .doesNotContain("Exception calling").doesNotContain("ScannerUnavailableException");
        } finally {
            clamd.start();
        }

        ImapMessage delivered = awaitMessage(CAROL, messageId);
        assertThat(headerValue(delivered)).startsWith("clean (ClamAV ");
        assertThat(MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/var%2Fmail%2Ferror")))
            .as("never sent to the error repository").isZero();
    }
}
