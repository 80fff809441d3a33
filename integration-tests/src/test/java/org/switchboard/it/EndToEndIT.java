package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.MailAccess.PopMessage;
import org.switchboard.it.SmtpClient.Reply;

/**
 * The packaged server end to end, as an administrator and mail clients use it: a domain and a user created with
 * {@code bin/james-cli}, mail in over SMTP (MX port and submission port), out over IMAP and POP3, relay rules,
 * repositories seen through WebAdmin, and everything still there after a stop and a start.
 *
 * <p>One server for the whole class (booting takes most of the time). Tests run in order; each creates the mail
 * it checks, so a failure in one does not hide the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String PASSWORD = "alice-Secret-7";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    /** RFC 2606: .invalid never resolves, so remote delivery keeps such mail queued (DNS failure = retry later). */
    private static final String REMOTE_DOMAIN = "remote.invalid";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    /** Long enough for a first delivery attempt whose DNS queries time out (no resolver in a sandbox). */
    private static final Duration QUEUED = Duration.ofSeconds(120);

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        long start = System.nanoTime();
        server = PackagedServer.unpack(tempDir);
        // SMTPC holds the remote domain's mail (an ETRN domain): it stays queued, for the tests to see, wherever they run
        server.rewrite("smtpc.xml", "</smtpc>",
            "<profile domain=\"" + REMOTE_DOMAIN + "\"><hold>true</hold></profile></smtpc>");
        server.startWith(DOMAIN, PASSWORD, ALICE);
        assertThat(server.cli("ListDomains")).contains(DOMAIN);
        assertThat(server.cli("ListUsers")).contains(ALICE);
        System.out.printf("EndToEndIT: server up and provisioned in %d s%n", (System.nanoTime() - start) / 1_000_000_000);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "EndToEndIT");
    }

    // ---------------------------------------------------------------------------------------------- local delivery

    @Test
    @Order(1)
    void mailSentOverSmtpIsReadOverImapWithHeadersAndBodyIntact() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@origin.example>";
        byte[] sent = textMessage("sender@origin.example", ALICE, "Quarterly report", messageId,
            "Hello Alice,\r\n"
                + ".a line that starts with a dot (dot-stuffed on the wire)\r\n"
                + ".\r\n"
                + "..two dots\r\n"
                + "non-ASCII body, 8bit: d\u00e9j\u00e0 vu \u2013 \u00fcber\r\n"
                + "\r\n"
                + "-- \r\nBob\r\n");

        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            assertThat(smtp.greeting().code()).isEqualTo(220);
            assertThat(smtp.ehlo("origin.example").code()).isEqualTo(250);
            assertThat(smtp.command("MAIL FROM:<sender@origin.example>").code()).isEqualTo(250);
            Reply rcpt = smtp.command("RCPT TO:<" + ALICE + ">");
            assertThat(rcpt.code()).as("RCPT for a local user from a remote client: %s", rcpt).isEqualTo(250);
            Reply done = smtp.data(sent);
            assertThat(done.code()).as("reply to the final dot: %s", done).isEqualTo(250);
            smtp.quit();
        }

        ImapMessage delivered = awaitImapMessage(ALICE, messageId);
        List<String> trace = MailAccess.prependedTrace(delivered.raw(), "sender@origin.example", ALICE);
        assertThat(trace).as("trace block prepended at delivery:\n%s", delivered.text())
            .hasSize(3)
            .anySatisfy(field -> assertThat(field).isEqualTo("Return-Path: <sender@origin.example>\r\n"))
            .anySatisfy(field -> assertThat(field).isEqualTo("Delivered-To: " + ALICE + "\r\n"))
            .anySatisfy(field -> assertThat(field).startsWith("Received: from ").contains("[" + REMOTE_CLIENT + "]"));
        byte[] rest = MailAccess.withoutPrependedTrace(delivered.raw(), "sender@origin.example", ALICE);
        MailAccess.assertSameBytes(sent, rest, "IMAP BODY[] after the trace block is not the message sent");
    }

    @Test
    @Order(2)
    void pop3ReturnsTheSameMessagesWithStableUidls() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@origin.example>";
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.send("sender@origin.example", ALICE, textMessage("sender@origin.example", ALICE, "for POP3", messageId, "Pop me.\r\n")).code())
                .isEqualTo(250);
        }
        awaitImapMessage(ALICE, messageId);
        List<ImapMessage> imap = MailAccess.imapInbox(server.imapPort, ALICE, PASSWORD);

        List<PopMessage> first = MailAccess.pop3(server.pop3Port, ALICE, PASSWORD);
        List<PopMessage> second = MailAccess.pop3(server.pop3Port, ALICE, PASSWORD);

        assertThat(first).hasSameSizeAs(imap);
        assertThat(first).extracting(PopMessage::uidl).doesNotHaveDuplicates().allSatisfy(uidl -> assertThat(uidl).isNotBlank());
        assertThat(second).extracting(PopMessage::uidl).as("UIDL of a second session").containsExactlyElementsOf(
            first.stream().map(PopMessage::uidl).collect(Collectors.toList()));
        for (int i = 0; i < imap.size(); i++) {
            MailAccess.assertSameBytes(imap.get(i).raw(), first.get(i).raw(), "POP3 RETR " + (i + 1) + " differs from IMAP BODY[] (- IMAP, + POP3)");
        }
    }

    /**
     * IMAP refuses LOGIN before STARTTLS (LOGINDISABLED) and SMTP is configured with requireSSL: POP3 should not take a
     * password in clear either (RFC 2595 section 2.2: a server should be configurable to refuse plaintext passwords
     * without TLS, and this one is, for IMAP).
     */
    @Test
    @Order(3)
    void pop3RefusesACleartextPasswordBeforeStls() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.pop3Port)) {
            socket.setSoTimeout(20_000);
            LineChannel pop = new LineChannel(socket);
            assertThat(pop.readLine()).startsWith("+OK");
            assertThat(pop.call("CAPA")).startsWith("+OK");
            String capa = pop.readUntil(".");
            assertThat(capa).contains("STLS");
            String user = pop.call("USER " + ALICE);
            String pass = user.startsWith("+OK") ? pop.call("PASS " + PASSWORD) : "(USER refused: " + user + ")";
            System.out.printf("OBSERVED POP3 before STLS: USER -> %s ; PASS -> %s%n", user, pass);
            assertThat(pass).as("PASS over a cleartext connection (USER answered %s)", user).doesNotStartWith("+OK");
        }
    }

    // ------------------------------------------------------------------------------------------------------ relay

    @Test
    @Order(4)
    void unauthenticatedRelayFromARemoteClientIsRefusedAtRcptAndNothingIsQueued() throws Exception {
        String recipient = "victim-" + shortId() + "@" + REMOTE_DOMAIN;
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            Reply ehlo = smtp.ehlo("spammer.example");
            assertThat(ehlo.code()).isEqualTo(250);
            assertThat(ehlo.text()).as("AUTH is announced only inside TLS").doesNotContain("AUTH");
            assertThat(smtp.command("MAIL FROM:<spammer@spammer.example>").code()).isEqualTo(250);
            Reply rcpt = smtp.command("RCPT TO:<" + recipient + ">");
            System.out.println("OBSERVED relay attempt from 127.0.0.2 without AUTH: RCPT -> " + rcpt);
            assertThat(rcpt.code()).as("RCPT to a foreign domain without AUTH: %s", rcpt).isEqualTo(550);
            assertThat(rcpt.enhancedCode()).isEqualTo("5.7.1");
            Reply data = smtp.command("DATA");
            assertThat(data.code()).as("DATA without any accepted recipient: %s", data).isBetween(500, 599);
            assertThat(smtp.command("RSET").code()).isEqualTo(250);
            // a mail the server accepts, after the refused one: once it is in the mailbox, anything the refused
            // transaction had put in the spool would have been processed and logged before it
            String markerId = "<after-relay-" + shortId() + "@spammer.example>";
            assertThat(smtp.send("spammer@spammer.example", ALICE,
                textMessage("spammer@spammer.example", ALICE, "after the refused relay", markerId, "hi\r\n")).code())
                .isEqualTo(250);
            smtp.quit();
            awaitImapMessage(ALICE, markerId);
        }
        assertThat(server.smtpcHandled(recipient)).as("relayed by SMTPC").isFalse();
        assertThat(MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/var%2Fmail%2Frelay-denied")))
            .as("relay-denied repository").isZero();
        assertThat(server.log()).as("the refused mail never reached the spool").doesNotContain("for [" + recipient + "]");
    }

    @Test
    @Order(5)
    void relayFromARemoteClientAfterStarttlsAndAuthOnTheMxPortIsAccepted() throws Exception {
        String recipient = "friend-" + shortId() + "@" + REMOTE_DOMAIN;
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            Reply ehlo = smtp.ehlo("laptop.example");
            assertThat(ehlo.text()).as("EHLO inside TLS from an unauthorized address").contains("AUTH").contains("PLAIN").contains("LOGIN");
            Reply auth = smtp.authPlain(ALICE, PASSWORD);
            assertThat(auth.code()).as("AUTH PLAIN: %s", auth).isEqualTo(235);
            Reply done = smtp.send(ALICE, recipient, textMessage(ALICE, recipient, "relayed after AUTH", null, "hi\r\n"));
            assertThat(done.code()).as("relay after AUTH: %s", done).isEqualTo(250);
            smtp.quit();
        }
        assertQueuedForRemoteDelivery(recipient, 1);
    }

    /**
     * requireSSL is meant to keep passwords inside TLS. On the MX port, AUTH is not announced before STARTTLS; it must
     * not be accepted either (RFC 3207 section 4: 530 5.7.0 "Must issue a STARTTLS command first").
     */
    @Test
    @Order(6)
    void mxPortRefusesAuthBeforeStarttls() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            Reply ehlo = smtp.ehlo("laptop.example");
            assertThat(ehlo.text()).doesNotContain("AUTH");
            Reply auth = smtp.authPlain(ALICE, PASSWORD);
            System.out.println("OBSERVED MX port, AUTH PLAIN before STARTTLS from 127.0.0.2 -> " + auth);
            assertThat(auth.code()).as("AUTH PLAIN with a valid password in clear text: %s", auth).isBetween(500, 599);
        }
    }

    // ------------------------------------------------------------------------------------------------- submission

    @Test
    @Order(7)
    void submissionWithoutAuthIsRefusedWith530() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            assertThat(smtp.greeting().code()).isEqualTo(220);
            smtp.ehlo("laptop.example");
            Reply beforeTls = smtp.command("MAIL FROM:<" + ALICE + ">");
            smtp.startTls();
            smtp.ehlo("laptop.example");
            Reply insideTls = smtp.command("MAIL FROM:<" + ALICE + ">");
            Reply rcpt = smtp.command("RCPT TO:<" + ALICE + ">");
            System.out.println("OBSERVED submission without AUTH: MAIL before TLS -> " + beforeTls + " ; MAIL inside TLS -> "
                + insideTls + " ; RCPT -> " + rcpt);
            assertThat(beforeTls.code()).as("MAIL FROM before TLS: %s", beforeTls).isEqualTo(530);
            assertThat(insideTls.code()).as("MAIL FROM inside TLS, no AUTH: %s", insideTls).isEqualTo(530);
            assertThat(rcpt.code()).as("RCPT without an accepted MAIL: %s", rcpt).isBetween(500, 599);
            smtp.quit();
        }
    }

    @Test
    @Order(8)
    void submissionWithAWrongPasswordIsRefusedWith535() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            Reply ehlo = smtp.ehlo("laptop.example");
            assertThat(ehlo.text()).contains("AUTH");
            Reply plain = smtp.authPlain(ALICE, "not-" + PASSWORD);
            Reply login = smtp.authLogin(ALICE, "not-" + PASSWORD);
            Reply unknown = smtp.authPlain("nobody@" + DOMAIN, PASSWORD);
            System.out.println("OBSERVED submission wrong password: PLAIN -> " + plain + " ; LOGIN -> " + login + " ; unknown user -> " + unknown);
            assertThat(plain.code()).as("AUTH PLAIN, wrong password: %s", plain).isEqualTo(535);
            assertThat(login.code()).as("AUTH LOGIN, wrong password: %s", login).isEqualTo(535);
            assertThat(unknown.code()).as("AUTH PLAIN, unknown user: %s", unknown).isEqualTo(535);
            assertThat(smtp.command("MAIL FROM:<" + ALICE + ">").code()).as("still not authenticated").isEqualTo(530);
            smtp.quit();
        }
    }

    /** The submission port must not take a password before STARTTLS (requireSSL, RFC 3207 section 4). */
    @Test
    @Order(9)
    void submissionRefusesAuthBeforeStarttls() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            Reply ehlo = smtp.ehlo("laptop.example");
            assertThat(ehlo.text()).as("AUTH is not announced before STARTTLS").doesNotContain("AUTH");
            Reply auth = smtp.authPlain(ALICE, PASSWORD);
            System.out.println("OBSERVED submission, AUTH PLAIN before STARTTLS -> " + auth);
            assertThat(auth.code()).as("AUTH PLAIN with a valid password in clear text: %s", auth).isBetween(500, 599);
        }
    }

    @Test
    @Order(10)
    void authenticatedSubmissionToAForeignDomainIsAcceptedAndQueued() throws Exception {
        String viaLogin = "carol-" + shortId() + "@" + REMOTE_DOMAIN;
        String viaPlain = "dave-" + shortId() + "@" + REMOTE_DOMAIN;
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            smtp.ehlo("laptop.example");
            Reply auth = smtp.authLogin(ALICE, PASSWORD);
            assertThat(auth.code()).as("AUTH LOGIN: %s", auth).isEqualTo(235);
            Reply done = smtp.send(ALICE, viaLogin, textMessage(ALICE, viaLogin, "submitted (LOGIN)", null, "hi\r\n"));
            assertThat(done.code()).as("submission after AUTH LOGIN: %s", done).isEqualTo(250);
            smtp.quit();
        }
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            smtp.ehlo("laptop.example");
            Reply auth = smtp.authPlain(ALICE, PASSWORD);
            assertThat(auth.code()).as("AUTH PLAIN: %s", auth).isEqualTo(235);
            Reply done = smtp.send(ALICE, viaPlain, textMessage(ALICE, viaPlain, "submitted (PLAIN)", null, "hi\r\n"));
            assertThat(done.code()).as("submission after AUTH PLAIN: %s", done).isEqualTo(250);
            smtp.quit();
        }
        assertQueuedForRemoteDelivery(viaLogin, 1);
        assertQueuedForRemoteDelivery(viaPlain, 1);
    }

    // ------------------------------------------------------------------------------------------------ persistence

    @Test
    @Order(20)
    void mailboxesUidlsAndTheOutgoingQueueSurviveAStopAndAStart() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@origin.example>";
        String queued = "erin-" + shortId() + "@" + REMOTE_DOMAIN;
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.send("sender@origin.example", ALICE, textMessage("sender@origin.example", ALICE, "before restart", messageId, "Still here?\r\n")).code())
                .isEqualTo(250);
            // 127.0.0.1 is an authorized network on the MX port: relays without AUTH
            assertThat(smtp.send(ALICE, queued, textMessage(ALICE, queued, "queued before restart", null, "wait for me\r\n")).code())
                .isEqualTo(250);
        }
        awaitImapMessage(ALICE, messageId);
        assertQueuedForRemoteDelivery(queued, 1);
        List<ImapMessage> imapBefore = MailAccess.imapInbox(server.imapPort, ALICE, PASSWORD);
        List<PopMessage> popBefore = MailAccess.pop3(server.pop3Port, ALICE, PASSWORD);

        long stopStart = System.nanoTime();
        server.stop();
        assertThat(server.isRunning()).isFalse();
        server.start();
        System.out.printf("EndToEndIT: stop + start took %d s%n", (System.nanoTime() - stopStart) / 1_000_000_000);

        List<ImapMessage> imapAfter = MailAccess.imapInbox(server.imapPort, ALICE, PASSWORD);
        assertThat(imapAfter).extracting(ImapMessage::uid).as("IMAP UIDs after restart")
            .containsExactlyElementsOf(imapBefore.stream().map(ImapMessage::uid).collect(Collectors.toList()));
        for (int i = 0; i < imapBefore.size(); i++) {
            MailAccess.assertSameBytes(imapBefore.get(i).raw(), imapAfter.get(i).raw(), "message UID " + imapBefore.get(i).uid() + " after restart");
        }
        List<PopMessage> popAfter = MailAccess.pop3(server.pop3Port, ALICE, PASSWORD);
        assertThat(popAfter).extracting(PopMessage::uidl).as("POP3 UIDL after restart")
            .containsExactlyElementsOf(popBefore.stream().map(PopMessage::uidl).collect(Collectors.toList()));
        // the spool hands the held mail to SMTPC again after the restart
        assertQueuedForRemoteDelivery(queued, 2);

        // and the restarted server still delivers
        String afterId = "<" + UUID.randomUUID() + "@origin.example>";
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.send("sender@origin.example", ALICE, textMessage("sender@origin.example", ALICE, "after restart", afterId, "Hi again.\r\n")).code())
                .isEqualTo(250);
        }
        awaitImapMessage(ALICE, afterId);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /**
     * The mail is on SMTPC's queue, held for its domain ({@code <hold>} in {@code smtpc.xml}): SMTPC logs one line
     * each time the spool hands it the mail (once, and once more after each restart).
     */
    private static void assertQueuedForRemoteDelivery(String recipient, int handedToSmtpc) {
        String held = "to [" + recipient + "] held until ETRN";
        await().atMost(QUEUED).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
            assertThat(server.log().split(Pattern.quote(held), -1).length - 1)
                .as("SMTPC log lines '%s'", held).isEqualTo(handedToSmtpc));
        assertThat(MailAccess.jsonSize(uncheckedWebAdmin("/mailRepositories/var%2Fmail%2Ferror"))).as("error repository").isZero();
    }

    private static String uncheckedWebAdmin(String path) {
        try {
            return MailAccess.webAdmin(server.webAdminPort, path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ImapMessage awaitImapMessage(String user, String messageId) {
        byte[] needle = ("Message-ID: " + messageId + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        List<ImapMessage> found = new ArrayList<>();
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Optional<ImapMessage> match = MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream()
                .filter(m -> MailAccess.contains(m.raw(), needle)).findFirst();
            match.ifPresent(found::add);
            return match.isPresent();
        });
        return found.get(0);
    }

    static byte[] textMessage(String from, String to, String subject, String messageId, String body) {
        StringBuilder message = new StringBuilder()
            .append("From: <").append(from).append(">\r\n")
            .append("To: <").append(to).append(">\r\n")
            .append("Subject: ").append(subject).append("\r\n")
            .append("Date: Mon, 2 Jun 2025 10:00:00 +0200\r\n");
        if (messageId != null) {
            message.append("Message-ID: ").append(messageId).append("\r\n");
        }
        message.append("MIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=utf-8\r\n")
            .append("Content-Transfer-Encoding: 8bit\r\n")
            .append("\r\n")
            .append(body);
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A CRLF line protocol over a plain socket (POP3 before STLS). */
    private static final class LineChannel {
        private final Socket socket;

        LineChannel(Socket socket) {
            this.socket = socket;
        }

        String call(String line) throws java.io.IOException {
            socket.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return readLine();
        }

        String readLine() throws java.io.IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = socket.getInputStream().read()) != '\n') {
                if (b < 0) {
                    throw new java.io.EOFException("POP3 server closed the connection after: " + line);
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        String readUntil(String terminator) throws java.io.IOException {
            StringBuilder all = new StringBuilder();
            String line;
            while (!(line = readLine()).equals(terminator)) {
                all.append(line).append('\n');
            }
            return all.toString();
        }
    }
}
