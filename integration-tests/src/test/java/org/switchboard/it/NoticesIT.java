package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;

/**
 * Where notices go and what the log says, on the packaged server as a new administrator meets it: the postmaster is
 * {@code postmaster@} the domain of {@code conf/directory.xml} from the first start on, whatever domains are added
 * and in which order; the start-up log says when it has no mailbox; once the README's first steps created it, a loop
 * notice and mail to {@code postmaster@} another local domain land in its INBOX. Then two expected conditions, each
 * one line in the log: a client resetting its connection, and a mail re-queued after a mailet failed.
 *
 * <p>The test copy of the configuration changes the shipped one in three places: the SMTP hello name is fixed (so
 * that a test message can carry Received fields "by" this server), the directory-unavailable re-queue waits 2 s
 * instead of 5 minutes, and one recipient's mail fails once in James' {@code PropagateError} (sent to
 * directory-unavailable, as a Message Switch failure is).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NoticesIT {
    private static final String DOMAIN = "example.com";
    /** Added before DOMAIN: James' own rule would make its postmaster the server's. */
    private static final String OTHER_DOMAIN = "aaa-first.test";
    private static final String POSTMASTER = "postmaster@" + DOMAIN;
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String RETRY = "retry@" + DOMAIN;
    private static final String PASSWORD = "Notices-Secret-55";
    private static final String HELLO_NAME = "mx.notices.test";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String POSTMASTER_LINE = "The postmaster (notices, mail to postmaster@ a local domain) is "
        + POSTMASTER;
    private static final String NO_MAILBOX = "The postmaster " + POSTMASTER + " has no mailbox";

    private static final String RECIPIENT_REWRITE =
        "<mailet match=\"org.switchboard.matchers.messageswitch.RecipientHasMapping\" class=\"RecipientRewriteTable\">";

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        server.rewrite("smtpserver.xml", "<helloName autodetect=\"true\"/>",
            "<helloName autodetect=\"false\">" + HELLO_NAME + "</helloName>");
        server.rewrite("mailetcontainer.xml", "<delay>5m</delay>", "<delay>2s</delay>");
        server.rewrite("mailetcontainer.xml", RECIPIENT_REWRITE, """
            <mailet match="HasMailAttributeWithValue=test.failed,once" class="SetMailAttribute">
                <test.failed>done</test.failed>
            </mailet>
            <matcher name="test-fail-once" match="org.apache.james.mailetcontainer.impl.matchers.And">
                <matcher match="RecipientIs=%s"/>
                <matcher match="org.apache.james.mailetcontainer.impl.matchers.Not">
                    <matcher match="HasMailAttribute=test.failed"/>
                </matcher>
            </matcher>
            <mailet match="test-fail-once" class="SetMailAttribute">
                <test.failed>once</test.failed>
            </mailet>
            <mailet match="HasMailAttributeWithValue=test.failed,once" class="PropagateError">
                <onMailetException>directory-unavailable</onMailetException>
            </mailet>
            %s""".formatted(RETRY, RECIPIENT_REWRITE));
        server.start();
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "NoticesIT");
    }

    private static long count(String text, String needle) {
        return Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }

    private static ImapMessage awaitMessage(String user, String needle) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(
            () -> MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream()
                .filter(message -> message.text().contains(needle)).findFirst().orElse(null),
            message -> message != null);
    }

    private static void send(String from, String to, String message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            SmtpClient.Reply reply = smtp.send(from, to, message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(reply.code()).as("reply to the final dot: %s", reply).isEqualTo(250);
            smtp.quit();
        }
    }

    @Test
    @Order(1)
    void atFirstStartThePostmasterIsAtTheDirectoryDomainAndTheLogSaysItHasNoMailboxYet() throws Exception {
        String log = server.log();

        assertThat(log).contains(POSTMASTER_LINE);
        assertThat(log).contains(NO_MAILBOX + ": notices to it go to jpa://var/mail/address-error/ until you create it"
            + " (bin/james-cli AddDomain " + DOMAIN + ", then bin/james-cli AddUser " + POSTMASTER + " <password>)");
    }

    @Test
    @Order(2)
    void afterTheFirstStepsAndARestartThePostmasterIsTheSameAndHasAMailbox() throws Exception {
        // the README's first steps, with another domain first: James would take the first domain it lists
        server.cli("AddDomain", OTHER_DOMAIN);
        server.cli("AddDomain", DOMAIN);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> server.cli("AddUser", POSTMASTER, PASSWORD) != null);
        for (String user : List.of(ALICE, RETRY)) {
            server.cli("AddUser", user, PASSWORD);
        }

        server.stop();
        server.start();

        String log = server.log();
        assertThat(count(log, POSTMASTER_LINE)).as("both starts").isEqualTo(2);
        assertThat(count(log, NO_MAILBOX)).as("the first start only").isEqualTo(1);
        assertThat(log).doesNotContain("is postmaster@" + OTHER_DOMAIN).doesNotContain("is postmaster@localhost");
    }

    @Test
    @Order(3)
    void aLoopNoticeLandsInThePostmastersInbox() throws Exception {
        String subject = "looping " + UUID.randomUUID();
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            message.append("Received: from relay").append(i).append(".example.net ([192.0.2.").append(i + 1)
                .append("])\n        by ").append(HELLO_NAME).append(" (JAMES SMTP Server) with ESMTP ID loop")
                .append(i).append(";\n        Mon, 2 Jun 2025 10:00:0").append(i).append(" +0200\n");
        }
        message.append("From: ").append(ALICE).append("\nTo: ").append(ALICE).append("\nSubject: ").append(subject)
            .append("\n\nround and round\n");

        send(ALICE, ALICE, message.toString());

        ImapMessage notice = awaitMessage(POSTMASTER, subject);
        assertThat(notice.text()).contains("Mail loop: this server appears in more than 10 Received: header fields");
        ImapMessage bounce = awaitMessage(ALICE, subject);
        assertThat(bounce.uid()).as("the sender got the bounce too").isPositive();
    }

    @Test
    @Order(4)
    void mailToThePostmasterOfAnyLocalDomainReachesTheSameMailbox() throws Exception {
        String subject = "hello postmaster " + UUID.randomUUID();

        send(ALICE, "postmaster@" + OTHER_DOMAIN, "From: " + ALICE + "\nTo: postmaster@" + OTHER_DOMAIN
            + "\nSubject: " + subject + "\n\nhello\n");

        assertThat(awaitMessage(POSTMASTER, subject).text()).contains(subject);
    }

    @Test
    @Order(5)
    void aClientResettingItsConnectionIsOneInfoLine() throws Exception {
        int before = server.log().length();

        for (int port : List.of(server.smtpPort, server.pop3Port, server.imapPort)) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                socket.setSoLinger(true, 0); // close sends a reset, as a port probe or a killed client does
            }
        }

        for (String protocol : List.of("SMTP", "POP3", "IMAP")) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> server.log().substring(before)
                .contains("client 127.0.0.1 (" + protocol + ") closed the connection abruptly"));
        }
        String probes = server.log().substring(before);
        assertThat(probes).as("no ERROR, no stack trace").doesNotContain("ERROR").doesNotContain("\tat ");
        assertThat(probes.lines().filter(line -> line.contains("closed the connection abruptly")))
            .hasSize(3).allSatisfy(line -> assertThat(line).contains(" INFO "));
    }

    @Test
    @Order(6)
    void aRequeuedMailIsStoredWithoutTheMailetErrorAttribute() throws Exception {
        String subject = "retried " + UUID.randomUUID();
        int before = server.log().length();

        send(ALICE, RETRY, "From: " + ALICE + "\nTo: " + RETRY + "\nSubject: " + subject + "\n\nonce more\n");

        awaitMessage(RETRY, subject);
        String log = server.log().substring(before);
        assertThat(log).as("it failed once, in the test's mailet").contains("Exception calling PropagateError");
        assertThat(log).doesNotContain("Not supported mail attribute");
    }
}
