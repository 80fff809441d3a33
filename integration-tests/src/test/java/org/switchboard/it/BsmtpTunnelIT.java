package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;

/**
 * The BSMTP tunnel end to end between two packaged servers. Site A serves example.com and forwards the domain
 * smallcorp.test (domain forwarding table) to {@code BSMTPOUT$tunnel@example.com}: its encoder puts each message
 * and its envelope into an application/batch-SMTP message for the local mailbox tunnel@example.com. Site B serves
 * smallcorp.test and polls that mailbox over POP3 with STLS (trusting site A's certificate only); its decoder
 * delivers each message to its original recipients, the Bcc one included, and deletes it from site A.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BsmtpTunnelIT {
    private static final String PASSWORD = "Switch-test-2468";
    private static final Duration DELIVERY = Duration.ofMinutes(3);

    @TempDir
    static Path temp;
    private static PackagedServer siteA;
    private static PackagedServer siteB;

    @BeforeAll
    static void startBothSites() throws Exception {
        siteA = PackagedServer.unpack(Files.createDirectories(temp.resolve("site-a")));
        siteB = PackagedServer.unpack(Files.createDirectories(temp.resolve("site-b")));
        // site B checks that the certificate names the host it connects to
        Path certificate = LoopbackCertificate.writeTo(siteA.home.resolve("conf/tls"), temp);
        Files.writeString(siteA.home.resolve("conf/domain-forwarding.properties"),
            "\nsmallcorp.test = BSMTPOUT$tunnel@example.com\n", StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.APPEND);

        siteB.rewrite("directory.xml", "<domain>example.com</domain>", "<domain>smallcorp.test</domain>");
        siteB.rewrite("bsmtp.xml", "<bsmtp>\n</bsmtp>", "<bsmtp><account name=\"site-a\">"
            + "<host>127.0.0.1</host><port>" + siteA.pop3Port + "</port><security>starttls</security>"
            + "<trustedCertificate>" + certificate + "</trustedCertificate>"
            + "<user>tunnel@example.com</user><password>" + PASSWORD + "</password><interval>2s</interval>"
            + "<encoders>postmaster@example.com</encoders><allowedDomains>smallcorp.test</allowedDomains>"
            + "</account></bsmtp>");

        CompletableFuture<Void> startingB = CompletableFuture.runAsync(() -> {
            try {
                siteB.startWith("smallcorp.test", PASSWORD, "bob@smallcorp.test", "carol@smallcorp.test");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        siteA.startWith("example.com", PASSWORD, "tunnel@example.com", "alice@example.com");
        startingB.join();
    }

    @AfterAll
    static void stop() throws Exception {
        PackagedServer.closeKeepingLog(siteA, "BsmtpTunnelIT-site-a");
        PackagedServer.closeKeepingLog(siteB, "BsmtpTunnelIT-site-b");
    }

    @Test
    @Order(1)
    void mailForAForwardedDomainReachesEveryOriginalRecipientThroughTheTunnel() throws Exception {
        String testId = UUID.randomUUID().toString();
        byte[] message = ("From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: through the tunnel\r\n"
            + "X-Test-Id: " + testId + "\r\n\r\n.a line with a leading dot\r\nsecond line\r\n").getBytes(StandardCharsets.US_ASCII);
        try (SmtpClient smtp = SmtpClient.connect(siteA.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            // carol is a Bcc: only the envelope names her
            assertThat(smtp.send("alice@example.com", List.of("bob@smallcorp.test", "carol@smallcorp.test"), message).code())
                .isEqualTo(250);
            smtp.quit();
        }

        ImapMessage bob = MailAccess.awaitTestMessage(siteB.imapPort, "bob@smallcorp.test", PASSWORD, testId, DELIVERY);
        ImapMessage carol = MailAccess.awaitTestMessage(siteB.imapPort, "carol@smallcorp.test", PASSWORD, testId, DELIVERY);
        for (ImapMessage copy : List.of(bob, carol)) {
            String text = copy.text();
            assertThat(text).contains("Return-Path: <alice@example.com>", "To: bob@smallcorp.test\r\n",
                "\r\n\r\n.a line with a leading dot\r\nsecond line\r\n");
            assertThat(text).doesNotContain("carol@smallcorp.test\r\nTo:");
        }
        assertThat(carol.text()).contains("Delivered-To: carol@smallcorp.test");

        // the tunnel message was deleted from site A once site B had it; site B counted it
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
            .until(() -> MailAccess.pop3(siteA.pop3Port, "tunnel@example.com", PASSWORD).isEmpty());
        // (polls before site A had the account failed: errors counts them)
        String status = siteB.cli("BsmtpStatus");
        assertThat(status).contains("running", "messages=1 ", "transactions=1 ", "rejected=0", "site-a: last poll ");
        assertThat(Files.readString(siteB.home.resolve("var/log/switchboard.log"))).doesNotContain(PASSWORD);
    }

    /**
     * Site B is killed (kill -9) while it works through 20 tunnel messages: some are in its spool, some of those have
     * their UIDL recorded, none is deleted on site A yet (deletions happen at QUIT). After the restart every message
     * reaches each recipient exactly once and site A's tunnel mailbox ends empty.
     */
    @Test
    @Order(2)
    void aDecoderKilledBetweenDownloadAndDeleteLosesAndDuplicatesNothing() throws Exception {
        siteB.cli("BsmtpStop");
        String run = UUID.randomUUID().toString();
        int count = 20;
        try (SmtpClient smtp = SmtpClient.connect(siteA.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            for (int i = 0; i < count; i++) {
                byte[] message = ("From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: crash " + i + "\r\n"
                    + "X-Test-Id: " + run + "-" + i + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                assertThat(smtp.send("alice@example.com", List.of("bob@smallcorp.test", "carol@smallcorp.test"), message)
                    .code()).isEqualTo(250);
            }
            smtp.quit();
        }
        await().atMost(DELIVERY).ignoreExceptions()
            .until(() -> MailAccess.pop3(siteA.pop3Port, "tunnel@example.com", PASSWORD).size() == count);

        long injectedBefore = injectedLines();
        siteB.cli("BsmtpStart");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> injectedLines() > injectedBefore);
        siteB.kill9();
        long injectedAtKill = injectedLines() - injectedBefore;
        siteB.start();

        for (String user : List.of("bob@smallcorp.test", "carol@smallcorp.test")) {
            await().atMost(DELIVERY).ignoreExceptions().until(() -> copies(user, run) >= count);
            List<String> ids = MailAccess.imapInbox(siteB.imapPort, user, PASSWORD).stream()
                .map(ImapMessage::text).filter(text -> text.contains("X-Test-Id: " + run))
                .map(text -> text.substring(text.indexOf("X-Test-Id: ")).lines().findFirst().orElseThrow())
                .toList();
            assertThat(ids).as("messages in %s's INBOX, the kill came after %d injected", user, injectedAtKill)
                .hasSize(count).doesNotHaveDuplicates();
        }
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
            .until(() -> MailAccess.pop3(siteA.pop3Port, "tunnel@example.com", PASSWORD).isEmpty());
    }

    private static long injectedLines() throws Exception {
        return siteB.log().lines().filter(line -> line.contains("transaction(s) put in the spool")).count();
    }

    private static long copies(String user, String run) throws Exception {
        return MailAccess.imapInbox(siteB.imapPort, user, PASSWORD).stream()
            .filter(message -> message.text().contains("X-Test-Id: " + run)).count();
    }
}
