package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;

/**
 * ESMTP on the inbound servers of the packaged server: the EHLO keywords (PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME,
 * SIZE, DSN, MT-PRIORITY) and that each does what it says: pipelined commands answered in order with enhanced codes,
 * SIZE enforced at MAIL FROM and after DATA (552 5.3.4, nothing delivered), 8-bit bodies stored byte for byte,
 * BODY= and MT-PRIORITY= checked and recorded on the mail. To see the attributes a mail has once it left the spool,
 * the test puts a copy of every mail in a repository at the start of the pipeline ({@code jpa://var/mail/seen/}) and
 * reads it with WebAdmin.
 */
class EsmtpIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "esmtp-Secret-5";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    private static final int MAX_KIB = 64;
    private static final int MAX_BYTES = MAX_KIB * 1024;
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String SEEN = "/mailRepositories/var%2Fmail%2Fseen/mails";

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        server.rewrite("smtpserver.xml", "<maxmessagesize>51200</maxmessagesize>", "<maxmessagesize>" + MAX_KIB + "</maxmessagesize>");
        server.copyEveryMailTo("jpa://var/mail/seen/");
        server.startWith(DOMAIN, PASSWORD, ALICE, BOB);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "EsmtpIT");
    }

    @Test
    void ehloAdvertisesTheExtensionsOnBothPorts() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            Reply ehlo = smtp.ehlo("client.example");
            System.out.println("OBSERVED MX EHLO -> " + ehlo);
            assertThat(keywords(ehlo)).contains("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE " + MAX_BYTES, "DSN",
                "MT-PRIORITY MIXER");
        }
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("client.example");
            smtp.startTls();
            Reply ehlo = smtp.ehlo("client.example");
            System.out.println("OBSERVED submission EHLO after STARTTLS -> " + ehlo);
            assertThat(keywords(ehlo)).contains("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE " + MAX_BYTES, "DSN",
                "MT-PRIORITY MIXER");
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrderWithEnhancedCodes() throws Exception {
        String id = id("pipelined");
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            smtp.write(("MAIL FROM:<sender@origin.example>\r\nRCPT TO:<" + BOB + ">\r\nRCPT TO:<nobody@example.com>\r\n"
                + "RCPT TO:<" + ALICE + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(smtp.readReply());
            }
            System.out.println("OBSERVED pipelined MAIL, RCPT x3, DATA -> " + replies);
            assertThat(replies).extracting(Reply::code).containsExactly(250, 250, 550, 250, 354);
            assertThat(replies.get(0).enhancedCode()).isEqualTo("2.1.0");
            assertThat(replies.get(1).enhancedCode()).isEqualTo("2.1.5");
            assertThat(replies.get(2).enhancedCode()).startsWith("5.1.");
            Reply done = smtp.raw(SmtpClient.dotStuff(message(id, "sender@origin.example", "pipelined\r\n".getBytes(StandardCharsets.US_ASCII), "")));
            assertThat(done.code()).isEqualTo(250);
            assertThat(done.enhancedCode()).isEqualTo("2.6.0");
            smtp.quit();
        }
        awaitDelivered(ALICE, id);
    }

    @Test
    void sizeIsEnforcedAtMailFromAndAfterData() throws Exception {
        String id = id("oversize");
        byte[] big = message(id, "sender@origin.example", "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n"
            .repeat(MAX_BYTES / 74 + 200).getBytes(StandardCharsets.US_ASCII), "");
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply declared = smtp.command("MAIL FROM:<sender@origin.example> SIZE=" + (MAX_BYTES + 1));
            System.out.println("OBSERVED MAIL FROM SIZE=" + (MAX_BYTES + 1) + " -> " + declared);
            assertThat(declared.code()).isEqualTo(552);
            assertThat(declared.enhancedCode()).isEqualTo("5.3.4");

            assertThat(smtp.command("MAIL FROM:<sender@origin.example> SIZE=" + big.length / 2).code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertThat(smtp.command("DATA").code()).isEqualTo(354);
            Reply afterData = smtp.raw(SmtpClient.dotStuff(big));
            System.out.println("OBSERVED " + big.length + " octets after DATA (limit " + MAX_BYTES + ") -> " + afterData);
            assertThat(afterData.code()).isEqualTo(552);
            assertThat(afterData.enhancedCode()).isEqualTo("5.3.4");
            assertThat(smtp.command("NOOP").code()).as("the session goes on").isEqualTo(250);
            // a marker sent after it: once it is in the mailbox, the refused message would be there too if it had been queued
            String marker = id("after-oversize");
            assertThat(smtp.send("sender@origin.example", BOB, message(marker, "sender@origin.example",
                "small\r\n".getBytes(StandardCharsets.US_ASCII), "")).code()).isEqualTo(250);
            smtp.quit();
            awaitDelivered(BOB, marker);
        }
        assertThat(MailAccess.imapInbox(server.imapPort, BOB, PASSWORD))
            .noneMatch(m -> MailAccess.contains(m.raw(), ("X-Test-Id: " + id).getBytes(StandardCharsets.US_ASCII)));
        assertThat(MailAccess.webAdmin(server.webAdminPort, SEEN)).as("never spooled").doesNotContain(id);
    }

    @Test
    void eightBitBodiesAreStoredByteForByteAndBodyIsRecorded() throws Exception {
        String id = id("8bit");
        String sender = "eight@origin.example";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("UTF-8: d\u00e9j\u00e0 vu \u2013 \u00fcber \u65e5\u672c\r\n".getBytes(StandardCharsets.UTF_8));
        body.writeBytes("every octet from 0x80 to 0xFF, not valid UTF-8:\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int octet = 0x80; octet <= 0xFF; octet++) {
            body.write(octet);
            if ((octet & 0x1F) == 0x1F) {
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[] sent = message(id, sender, body.toByteArray(), "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n");
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply binary = smtp.command("MAIL FROM:<" + sender + "> BODY=BINARYMIME");
            System.out.println("OBSERVED BODY=BINARYMIME -> " + binary);
            assertThat(binary.code()).isEqualTo(501);
            assertThat(binary.enhancedCode()).isEqualTo("5.5.4");
            assertThat(smtp.command("MAIL FROM:<" + sender + "> BODY=8BITMIME").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertThat(smtp.data(sent).code()).isEqualTo(250);
            assertThat(smtp.command("MAIL FROM:<seven@origin.example> BODY=7bit").code()).isEqualTo(250);
            smtp.command("RSET");
            smtp.quit();
        }
        ImapMessage delivered = awaitDelivered(BOB, id);
        assertThat(MailAccess.prependedTrace(delivered.raw(), sender, BOB)).as("trace block").hasSize(3);
        MailAccess.assertSameBytes(sent, MailAccess.withoutPrependedTrace(delivered.raw(), sender, BOB), "8-bit message read back over IMAP");
        String seen = seenMail(sender);
        System.out.println("OBSERVED attributes of the 8BITMIME mail: " + seen);
        assertThat(attribute(seen, "org.switchboard.smtp.body")).isEqualTo("8BITMIME");
    }

    @Test
    void mtPriorityIsCheckedAndMappedToTheSpoolPriority() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            for (String bad : List.of("10", "-10", "high", "", "+", "4.5", "--1")) {
                Reply refused = smtp.command("MAIL FROM:<sender@origin.example> MT-PRIORITY=" + bad);
                System.out.println("OBSERVED MT-PRIORITY=" + bad + " -> " + refused);
                assertThat(refused.code()).as("MT-PRIORITY=%s: %s", bad, refused).isEqualTo(501);
                assertThat(refused.enhancedCode()).isEqualTo("5.5.4");
            }
        }
        // an authorized client (127.0.0.1 may relay) is trusted; 127.0.0.2 is not: its +4 is lowered to 0, its -3 kept
        send("127.0.0.1", "urgent@origin.example", "MT-PRIORITY=4");
        send("127.0.0.1", "bulk@origin.example", "MT-PRIORITY=-9");
        send(REMOTE_CLIENT, "pushy@origin.example", "MT-PRIORITY=+4");
        send(REMOTE_CLIENT, "modest@origin.example", "MT-PRIORITY=-3");
        send(REMOTE_CLIENT, "plain@origin.example", "");
        assertPriority("urgent@origin.example", "4", "7");
        assertPriority("bulk@origin.example", "-9", "0");
        assertPriority("pushy@origin.example", "0", "5");
        assertPriority("modest@origin.example", "-3", "3");
        try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.1", server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply refused = smtp.command("MAIL FROM:<stale@origin.example> MT-PRIORITY=9 BODY=8BITMIME SIZE=" + (MAX_BYTES + 1));
            assertThat(refused.code()).as("%s", refused).isEqualTo(552);
            assertThat(smtp.send("stale@origin.example", BOB, message(id("stale"), "stale@origin.example",
                "no parameters this time\r\n".getBytes(StandardCharsets.US_ASCII), "")).code()).isEqualTo(250);
            smtp.quit();
        }
        assertThat(seenMail("stale@origin.example")).as("nothing left from the refused MAIL")
            .doesNotContain("org.switchboard.smtp.mt-priority").doesNotContain("MAIL_PRIORITY").doesNotContain("org.switchboard.smtp.body");
        String plain = seenMail("plain@origin.example");
        assertThat(plain).doesNotContain("org.switchboard.smtp.mt-priority").doesNotContain("MAIL_PRIORITY");
    }

    @Test
    void authenticatedSubmissionIsTrustedWithMtPriority() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("client.example");
            smtp.startTls();
            smtp.ehlo("client.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            assertThat(smtp.command("MAIL FROM:<" + ALICE + "> MT-PRIORITY=6").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertThat(smtp.data(message(id("submitted"), ALICE, "urgent\r\n".getBytes(StandardCharsets.US_ASCII), "")).code()).isEqualTo(250);
            smtp.quit();
        }
        assertPriority(ALICE, "6", "8");
    }

    private static void send(String client, String sender, String parameter) throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(client, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply mail = smtp.command(("MAIL FROM:<" + sender + "> " + parameter).trim());
            assertThat(mail.code()).as("%s from %s: %s", parameter, client, mail).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertThat(smtp.data(message(id("prio"), sender, (parameter + "\r\n").getBytes(StandardCharsets.US_ASCII), "")).code()).isEqualTo(250);
            smtp.quit();
        }
    }

    private static void assertPriority(String sender, String mtPriority, String spoolPriority) throws Exception {
        String seen = seenMail(sender);
        System.out.println("OBSERVED attributes of the mail from " + sender + ": " + seen);
        assertThat(attribute(seen, "org.switchboard.smtp.mt-priority")).as("MT-PRIORITY kept for SMTPC").isEqualTo(mtPriority);
        assertThat(attribute(seen, "MAIL_PRIORITY")).as("spool priority").isEqualTo(spoolPriority);
    }

    private static String seenMail(String sender) {
        return MailAccess.repositoryMailFrom(server.webAdminPort, SEEN, sender, DELIVERY);
    }

    private static String attribute(String json, String name) {
        return MailAccess.attribute(json, name);
    }

    private static ImapMessage awaitDelivered(String user, String id) {
        return MailAccess.awaitTestMessage(server.imapPort, user, PASSWORD, id, DELIVERY);
    }

    private static String id(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] message(String id, String sender, byte[] body, String mimeFields) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: <" + sender + ">\r\nTo: <" + BOB + ">\r\nSubject: " + id + "\r\n"
            + "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + id + "@origin.example>\r\nX-Test-Id: " + id + "\r\n"
            + "MIME-Version: 1.0\r\n" + mimeFields + "\r\n").getBytes(StandardCharsets.US_ASCII));
        message.writeBytes(body);
        return message.toByteArray();
    }

    /** The EHLO keywords (with their parameters), without the greeting line. */
    private static List<String> keywords(Reply ehlo) {
        return ehlo.lines().stream().skip(1).map(line -> line.substring(4)).toList();
    }
}
