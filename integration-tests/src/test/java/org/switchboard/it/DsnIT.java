package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import javax.mail.BodyPart;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;

/**
 * DSN (RFC 3461) end to end on the packaged server: NOTIFY=SUCCESS on local delivery gives the sender an RFC 3464
 * "delivered" report (ENVID, ORCPT, RET=HDRS / RET=FULL), NOTIFY=FAILURE on a recipient that turns out not to exist
 * after acceptance (submission accepts any local address) a "failed" report, NOTIFY=NEVER nothing, and a failure
 * without NOTIFY the usual bounce. The reports are read over IMAP and parsed.
 */
class DsnIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "dsn-Secret-3";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        server.startWith(DOMAIN, PASSWORD, ALICE, BOB);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "DsnIT");
    }

    /** A parsed multipart/report: its three parts' content types, the delivery-status fields, the returned content. */
    record Report(MimeMessage message, String statusFields, String returnedType, String returned) {
    }

    @Test
    void successWithHeadersOnly() throws Exception {
        String id = id("success-hdrs");
        Reply done = submit("RET=HDRS ENVID=" + id, BOB, "NOTIFY=SUCCESS ORCPT=rfc822;" + BOB, id);
        assertThat(done.code()).isEqualTo(250);
        awaitInbox(BOB, id);
        Report report = awaitReport(id);
        System.out.println("OBSERVED delivered report, RET=HDRS:\n" + report.statusFields() + "\n" + report.returnedType());
        assertThat(report.statusFields())
            .contains("Original-Envelope-Id: " + id + "\r\n")
            .contains("Reporting-MTA: dns; ")
            .contains("Arrival-Date: ")
            .contains("Original-Recipient: rfc822; " + BOB + "\r\n")
            .contains("Final-Recipient: rfc822; " + BOB + "\r\n")
            .contains("Action: delivered\r\n")
            .contains("Status: 2.0.0\r\n");
        assertThat(report.returnedType()).startsWith("text/rfc822-headers");
        assertThat(report.returned()).contains("Subject: " + id).doesNotContain("body of " + id);
        assertThat(report.message().getHeader("Auto-Submitted")).containsExactly("auto-replied");
    }

    @Test
    void successWithTheFullMessage() throws Exception {
        String id = id("success-full");
        Reply done = submit("RET=FULL ENVID=" + id, BOB, "NOTIFY=SUCCESS,FAILURE", id);
        assertThat(done.code()).isEqualTo(250);
        Report report = awaitReport(id);
        assertThat(report.statusFields()).contains("Action: delivered\r\n").contains("Status: 2.0.0\r\n")
            .doesNotContain("Original-Recipient:");
        assertThat(report.returnedType()).startsWith("message/rfc822");
        assertThat(report.returned()).contains("Subject: " + id).contains("body of " + id);
    }

    @Test
    void failureAfterAcceptanceGivesAFailedReport() throws Exception {
        String id = id("failure");
        Reply done = submit("ENVID=" + id, "nobody-" + id + "@example.com", "NOTIFY=FAILURE ORCPT=rfc822;first.last@example.com", id);
        assertThat(done.code()).isEqualTo(250);
        Report report = awaitReport(id);
        System.out.println("OBSERVED failed report:\n" + report.statusFields());
        assertThat(report.statusFields())
            .contains("Original-Envelope-Id: " + id + "\r\n")
            .contains("Original-Recipient: rfc822; first.last@example.com\r\n")
            .contains("Final-Recipient: rfc822; nobody-" + id + "@example.com\r\n")
            .contains("Action: failed\r\n")
            .contains("Status: 5.1.1\r\n")
            .contains("Diagnostic-Code: smtp; 550 5.1.1");
        assertThat(report.returnedType()).as("no RET: the shipped local-address-error returns nothing").isNull();
    }

    @Test
    void neverMeansNoNoticeAndNoNotifyMeansTheUsualBounce() throws Exception {
        String never = id("never");
        String plain = id("plain");
        assertThat(submit("", "nobody-" + never + "@example.com", "NOTIFY=NEVER", never).code()).isEqualTo(250);
        assertThat(submit("", "nobody-" + plain + "@example.com", "", plain).code()).isEqualTo(250);
        ImapMessage bounce = await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> find(ALICE, "nobody-" + plain), found -> found != null);
        System.out.println("OBSERVED bounce without NOTIFY: " + parse(bounce.raw()).getContentType());
        // the NOTIFY=NEVER mail was submitted first; give the spool's other threads time to have sent anything
        await().atMost(DELIVERY).until(() -> MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort,
            "/mailRepositories/var%2Fmail%2Faddress-error")) >= 2);
        Thread.sleep(3000);
        assertThat(find(ALICE, "nobody-" + never)).as("no notice of any kind for NOTIFY=NEVER").isNull();
    }

    @Test
    void badDsnParametersAreRefusedWithSyntaxErrors() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("client.example");
            smtp.startTls();
            smtp.ehlo("client.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            assertThat(smtp.command("MAIL FROM:<" + ALICE + "> RET=HDRS").code()).isEqualTo(250);
            for (String bad : List.of("NOTIFY=SOMETIMES", "NOTIFY=NEVER,SUCCESS", "NOTIFY=", "ORCPT=bob@example.com",
                    "ORCPT=rfc822;not-an-address")) {
                Reply refused = smtp.command("RCPT TO:<" + BOB + "> " + bad);
                System.out.println("OBSERVED RCPT " + bad + " -> " + refused);
                assertThat(refused.code()).as("%s: %s", bad, refused).isEqualTo(501);
                assertThat(refused.enhancedCode()).isEqualTo("5.5.4");
            }
            Reply other = smtp.command("RCPT TO:<" + BOB + "> NOTIFY=success ORCPT=x400;c+3Dus+3Ba+3D+20");
            System.out.println("OBSERVED RCPT with an ORCPT of another address type -> " + other);
            assertThat(other.code()).as("RFC 3461 4.2: any addr-type").isEqualTo(250);
            Reply twice = smtp.command("RCPT TO:<" + BOB + "> NOTIFY=NEVER");
            assertThat(twice.code()).as("a recipient given again: %s", twice).isEqualTo(250);
            Reply data = smtp.data(("Subject: twice\r\n\r\nbob twice\r\n").getBytes(StandardCharsets.US_ASCII));
            System.out.println("OBSERVED DATA after a repeated recipient -> " + data);
            assertThat(data.code()).isEqualTo(250);
            smtp.quit();
        }
    }

    private static Reply submit(String mailParameters, String recipient, String rcptParameters, String id) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("client.example");
            smtp.startTls();
            smtp.ehlo("client.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            Reply mail = smtp.command(("MAIL FROM:<" + ALICE + "> " + mailParameters).trim());
            assertThat(mail.code()).as("%s", mail).isEqualTo(250);
            Reply rcpt = smtp.command(("RCPT TO:<" + recipient + "> " + rcptParameters).trim());
            assertThat(rcpt.code()).as("%s", rcpt).isEqualTo(250);
            Reply done = smtp.data(("From: <" + ALICE + ">\r\nTo: <" + recipient + ">\r\nSubject: " + id + "\r\n"
                + "Message-ID: <" + id + "@example.com>\r\nX-Test-Id: " + id + "\r\n\r\nbody of " + id + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            smtp.quit();
            return done;
        }
    }

    private static Report awaitReport(String id) throws Exception {
        ImapMessage found = await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> find(ALICE, id), DsnIT::isReport);
        MimeMessage message = parse(found.raw());
        ContentType type = new ContentType(message.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        assertThat(message.getHeader("Return-Path")[0]).isEqualTo("<>");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        BodyPart status = parts.getBodyPart(1);
        assertThat(status.getContentType()).isEqualTo("message/delivery-status");
        String fields = text(status.getInputStream());
        String returnedType = null;
        String returned = null;
        if (parts.getCount() > 2) {
            returnedType = parts.getBodyPart(2).getContentType();
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            parts.getBodyPart(2).writeTo(raw);
            returned = raw.toString(StandardCharsets.UTF_8);
        }
        return new Report(message, fields, returnedType, returned);
    }

    private static boolean isReport(ImapMessage message) {
        try {
            return message != null && parse(message.raw()).getContentType().startsWith("multipart/report");
        } catch (Exception e) {
            return false;
        }
    }

    /** The message of the user's INBOX whose octets contain {@code needle}, or null. */
    private static ImapMessage find(String user, String needle) throws Exception {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        List<ImapMessage> matches = new ArrayList<>();
        for (ImapMessage message : MailAccess.imapInbox(server.imapPort, user, PASSWORD)) {
            if (MailAccess.contains(message.raw(), bytes)) {
                matches.add(message);
            }
        }
        return matches.isEmpty() ? null : matches.get(0);
    }

    private static void awaitInbox(String user, String id) {
        MailAccess.awaitTestMessage(server.imapPort, user, PASSWORD, id, DELIVERY);
    }

    private static MimeMessage parse(byte[] raw) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    private static String text(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static String id(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
