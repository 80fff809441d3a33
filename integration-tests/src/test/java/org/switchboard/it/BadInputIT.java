package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;
import org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures;

/**
 * Bad SMTP input against the packaged server: garbage commands, oversize mail, long lines, NUL bytes, raw 8-bit
 * headers, malformed MIME, invalid addresses. Each gets a clear reply, the server keeps serving, and every message
 * the server acknowledged with 250 is in the mailbox (checked over IMAP at the end). Then a corpus of real-world
 * MIME messages goes through SMTP and must come back over IMAP unchanged but for the trace fields added at delivery.
 *
 * <p>The class starts the server with {@code maxmessagesize} lowered from 51200 to {@value #MAX_KIB} KiB so that
 * an oversize message is quick to send.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
    private static final String DOMAIN = "example.com";
    private static final String BOB = "bob@example.com";
    private static final String CORPUS = "corpus@example.com";
    private static final String PASSWORD = "bob-Secret-9";
    private static final String SENDER = "sender@origin.example";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    private static final int MAX_KIB = 100;
    private static final int MAX_BYTES = MAX_KIB * 1024;
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final List<String> CORPUS_FILES = List.of(
        "crymap-dkim-yahoo-rsa-sha256.eml",
        "mime4j-basic-plain-very-long-lines.msg",
        "mime4j-missing-inner-boundary.msg",
        "mime4j-russian-headers.msg",
        "mimekit-multipart-related-mhtml.eml",
        "mimetools-multi-nested.msg",
        "pgp-tb-alice-signed.eml",
        "rubymail-japanese_iso_2022.eml",
        "rubymail-utf8_headers.eml",
        "smime-nss-alice.dsig.SHA256.multipart.eml",
        "tb-03-HTML.eml",
        "tb-06-plaintext+HTML.eml",
        "tb-no-content-type.eml");

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    /** X-Test-Id of every message acknowledged with 250 for bob, with what it was. */
    static final Map<String, String> accepted = new ConcurrentHashMap<>();
    /** X-Test-Id of every message refused after DATA: must never show up in a mailbox. */
    static final Set<String> refused = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void boot() throws Exception {
        long start = System.nanoTime();
        server = PackagedServer.unpack(tempDir);
        server.rewrite("smtpserver.xml", "<maxmessagesize>51200</maxmessagesize>", "<maxmessagesize>" + MAX_KIB + "</maxmessagesize>");
        server.startWith(DOMAIN, PASSWORD, BOB, CORPUS);
        System.out.printf("BadInputIT: server up and provisioned in %d s%n", (System.nanoTime() - start) / 1_000_000_000);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "BadInputIT");
    }

    // ------------------------------------------------------------------------------------------- garbage commands

    @Test
    @Order(1)
    void unknownAndMalformedCommandsGet5xxAndTheSessionGoesOn() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            assertThat(smtp.ehlo("client.example").code()).isEqualTo(250);
            Map<String, Reply> replies = new LinkedHashMap<>();
            for (String command : List.of("FOO bar", "XYZZY", "MAIL", "MAIL TO:<" + BOB + ">", "RCPT TO:<" + BOB + ">",
                "DATA", "HELO", "VRFY", "AUTH FOO", "STARTTLS extra", "\t ")) {
                replies.put(command, smtp.command(command));
            }
            replies.forEach((command, reply) -> System.out.println("OBSERVED command '" + command + "' -> " + reply));
            SoftAssertions soft = new SoftAssertions();
            replies.forEach((command, reply) -> soft.assertThat(reply.code()).as("'%s' -> %s", command, reply).isBetween(500, 599));
            soft.assertThat(replies.get("FOO bar").code()).as("unknown verb").isEqualTo(500);
            soft.assertAll();
            assertThat(smtp.command("NOOP").code()).isEqualTo(250);
            sendNormalMail(smtp, "after unknown commands");
            smtp.quit();
        }
    }

    @Test
    @Order(2)
    void randomBytesGet5xxRepliesAndTheSessionGoesOn() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(20250602L).nextBytes(garbage);
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            assertThat(smtp.ehlo("client.example").code()).isEqualTo(250);
            smtp.write(garbage);
            smtp.write("\r\nHELO marker-after-garbage\r\n".getBytes(StandardCharsets.US_ASCII));
            List<Reply> toGarbage = new ArrayList<>();
            Reply reply;
            while (!(reply = smtp.readReply()).text().contains("marker-after-garbage")) {
                toGarbage.add(reply);
            }
            System.out.println("OBSERVED 4096 random bytes -> " + toGarbage.size() + " replies, codes "
                + toGarbage.stream().map(Reply::code).distinct().toList() + "; then HELO -> " + reply.code());
            assertThat(toGarbage).isNotEmpty().allSatisfy(r -> assertThat(r.code()).as("%s", r).isBetween(500, 599));
            assertThat(reply.code()).isEqualTo(250);
            sendNormalMail(smtp, "after random bytes");
            smtp.quit();
        }
    }

    @Test
    @Order(3)
    void overlongCommandLinesGet500AndTheSessionGoesOn() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            assertThat(smtp.ehlo("client.example").code()).isEqualTo(250);
            Reply verb = smtp.command("A".repeat(10_000));
            Reply mail = smtp.command("MAIL FROM:<" + "m".repeat(20_000) + "@origin.example>");
            Reply huge = smtp.command("B".repeat(2 * 1024 * 1024));
            System.out.println("OBSERVED 10000-octet verb -> " + verb.code() + " " + verb.lines().get(0).substring(0, 20)
                + "... ; MAIL FROM with 20000-octet address -> " + mail + " ; 2 MiB line -> " + huge);
            assertThat(verb.code()).as("%s", verb).isEqualTo(500);
            assertThat(mail.code()).as("%s", mail).isBetween(500, 599);
            assertThat(huge.code()).as("%s", huge).isEqualTo(500);
            assertThat(smtp.command("NOOP").code()).isEqualTo(250);
            sendNormalMail(smtp, "after overlong command lines");
            smtp.quit();
        }
    }

    // ------------------------------------------------------------------------------------------------------- size

    @Test
    @Order(4)
    void declaredSizeOverTheLimitIsRefusedWith552AtMailFrom() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            Reply ehlo = smtp.ehlo("client.example");
            assertThat(ehlo.lines()).contains("250-SIZE " + MAX_BYTES);
            Reply over = smtp.command("MAIL FROM:<" + SENDER + "> SIZE=" + (MAX_BYTES + 1));
            Reply absurd = smtp.command("MAIL FROM:<" + SENDER + "> SIZE=99999999999");
            Reply notNumber = smtp.command("MAIL FROM:<" + SENDER + "> SIZE=big");
            Reply atLimit = smtp.command("MAIL FROM:<" + SENDER + "> SIZE=" + MAX_BYTES);
            System.out.println("OBSERVED SIZE=" + (MAX_BYTES + 1) + " -> " + over + " ; SIZE=99999999999 -> " + absurd
                + " ; SIZE=big -> " + notNumber + " ; SIZE=" + MAX_BYTES + " -> " + atLimit);
            assertThat(over.code()).as("%s", over).isEqualTo(552);
            assertThat(over.enhancedCode()).isEqualTo("5.3.4");
            // RFC 1870 allows 20 digits: this is over the limit, not a syntax error; any permanent refusal will do
            assertThat(absurd.code()).as("%s", absurd).isBetween(500, 599);
            assertThat(notNumber.code()).as("%s", notNumber).isEqualTo(501);
            assertThat(atLimit.code()).as("%s", atLimit).isEqualTo(250);
            assertThat(smtp.command("RSET").code()).isEqualTo(250);
            sendNormalMail(smtp, "after SIZE refusals");
            smtp.quit();
        }
    }

    @Test
    @Order(5)
    void undeclaredOversizeMessageIsRefusedWith552AfterTheFinalDot() throws Exception {
        String id = "oversize-" + shortId();
        byte[] big = message(id, "oversize", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789\r\n".repeat(MAX_BYTES / 75 + 700));
        assertThat(big.length).isGreaterThan(MAX_BYTES + 40_000);
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertThat(smtp.command("DATA").code()).isEqualTo(354);
            // the whole message and the final dot go out before any reply is read: the reply belongs to the dot
            Reply done = smtp.raw(SmtpClient.dotStuff(big));
            System.out.println("OBSERVED undeclared " + big.length + "-octet message (limit " + MAX_BYTES + ") -> " + done);
            refused.add(id);
            assertThat(done.code()).as("%s", done).isEqualTo(552);
            sendNormalMail(smtp, "after an oversize message");
            smtp.quit();
        }
    }

    // -------------------------------------------------------------------------------------------- odd DATA content

    @Test
    @Order(6)
    void aLineOver1000OctetsInDataIsEitherRefusedOrDeliveredIntact() throws Exception {
        String id = "longline-" + shortId();
        String longLine = "L".repeat(4000) + "-end-of-the-long-line";
        byte[] sent = message(id, "long line", "before\r\n" + longLine + "\r\nafter\r\n");
        Reply done = sendOnce(sent, "line of " + longLine.length() + " octets");
        System.out.println("OBSERVED DATA with a " + longLine.length() + "-octet line -> " + done);
        if (done.code() == 250) {
            assertDeliveredIntact(id, sent);
        } else {
            assertThat(done.code()).as("%s", done).isBetween(500, 599);
        }
    }

    @Test
    @Order(7)
    void nulBytesInTheBodyAreDeliveredIntact() throws Exception {
        String id = "nul-" + shortId();
        byte[] sent = message(id, "NUL bytes", "before\0after\r\n\0\0\0\r\nend\r\n");
        Reply done = sendOnce(sent, "NUL bytes in the body");
        System.out.println("OBSERVED DATA with NUL bytes -> " + done);
        if (done.code() == 250) {
            assertDeliveredIntact(id, sent);
        } else {
            assertThat(done.code()).as("%s", done).isBetween(500, 599);
        }
    }

    /**
     * Raw UTF-8 in the header without SMTPUTF8 (which the server does not offer): RFC 6532 mail sent the old way. The
     * server may refuse it; once it says 250 it must deliver the octets it received.
     */
    @Test
    @Order(8)
    void raw8bitUtf8HeadersAreDeliveredIntact() throws Exception {
        String id = "utf8hdr-" + shortId();
        byte[] sent = ("From: J\u00fcrgen M\u00fcller <juergen@origin.example>\r\n"
            + "To: Bj\u00f6rk <" + BOB + ">\r\n"
            + "Subject: Gr\u00fc\u00dfe aus K\u00f6ln \u2013 \u65e5\u672c\u8a9e \ud83d\udce8\r\n"
            + "X-Test-Id: " + id + "\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n"
            + "\r\n"
            + "Gr\u00fc\u00dfe!\r\n").getBytes(StandardCharsets.UTF_8);
        Reply done = sendOnce(sent, "raw UTF-8 headers");
        System.out.println("OBSERVED DATA with raw UTF-8 headers -> " + done);
        if (done.code() == 250) {
            assertDeliveredIntact(id, sent);
        } else {
            assertThat(done.code()).as("%s", done).isBetween(500, 599);
        }
    }

    @Test
    @Order(9)
    void malformedMimeIsDeliveredIntact() throws Exception {
        String noBoundaryParameter = "noboundary-" + shortId();
        byte[] first = ("From: <" + SENDER + ">\r\nTo: <" + BOB + ">\r\nSubject: multipart without boundary\r\n"
            + "X-Test-Id: " + noBoundaryParameter + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
            + "--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n").getBytes(StandardCharsets.US_ASCII);
        String unterminated = "unterminated-" + shortId();
        byte[] second = ("From: <" + SENDER + ">\r\nTo: <" + BOB + ">\r\nSubject: boundary never closed, broken base64\r\n"
            + "X-Test-Id: " + unterminated + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n"
            + "preamble\r\n--zz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + "!!!! not base64 at all ====\r\n--zz\r\nContent-Type: text/plain; charset=\"\r\n\r\ntruncated part, no closing boundary\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        Reply firstReply = sendOnce(first, "multipart without boundary parameter");
        Reply secondReply = sendOnce(second, "multipart without closing boundary");
        System.out.println("OBSERVED multipart without boundary parameter -> " + firstReply + " ; unterminated multipart -> " + secondReply);
        assertThat(firstReply.code()).isEqualTo(250);
        assertThat(secondReply.code()).isEqualTo(250);
        assertDeliveredIntact(noBoundaryParameter, first);
        assertDeliveredIntact(unterminated, second);
    }

    // ------------------------------------------------------------------------------------------ invalid addresses

    @Test
    @Order(10)
    void invalidSenderAddressesAreRefusedWith501() throws Exception {
        Map<String, Reply> replies = new LinkedHashMap<>();
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            for (String from : List.of("<foo@>", "<@bar>", "no-brackets@origin.example", "<a b@c>", "<foo@bar@baz>", "<foo@[999.1.1.1]>", "<\"unterminated@x>")) {
                Reply reply = smtp.command("MAIL FROM:" + from);
                replies.put(from, reply);
                if (reply.code() == 250) {
                    smtp.command("RSET");
                }
            }
            replies.forEach((from, reply) -> System.out.println("OBSERVED MAIL FROM:" + from + " -> " + reply));
            SoftAssertions soft = new SoftAssertions();
            replies.forEach((from, reply) -> soft.assertThat(reply.code()).as("MAIL FROM:%s -> %s", from, reply).isIn(501, 553));
            soft.assertAll();
            sendNormalMail(smtp, "after invalid senders");
            smtp.quit();
        }
    }

    /**
     * A 300-octet local part is over RFC 5321's 64 but syntactically fine: the server may take it (it does) and then
     * must deliver the mail like any other.
     */
    @Test
    @Order(11)
    void aVeryLongSenderLocalPartIsEitherRefusedOrTheMailIsDelivered() throws Exception {
        String longSender = "s".repeat(300) + "@origin.example";
        String id = "longsender-" + shortId();
        byte[] sent = message(id, "from a very long local part", "hi\r\n");
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply mail = smtp.command("MAIL FROM:<" + longSender + ">");
            System.out.println("OBSERVED MAIL FROM with a 300-octet local part -> " + mail.code() + " " + mail.enhancedCode());
            if (mail.code() == 250) {
                assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
                Reply done = smtp.data(sent);
                assertThat(done.code()).as("%s", done).isEqualTo(250);
                accepted.put(id, "mail from a 300-octet local part");
                ImapMessage delivered = awaitDelivered(BOB, id);
                assertThat(delivered.text()).startsWith("Return-Path: <" + longSender + ">\r\n");
            } else {
                assertThat(mail.code()).as("%s", mail).isIn(501, 553);
            }
            smtp.quit();
        }
    }

    @Test
    @Order(12)
    void invalidRecipientAddressesAreRefused() throws Exception {
        Map<String, Reply> replies = new LinkedHashMap<>();
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
            for (String to : List.of("<foo@>", "<@bar>", "no-brackets@example.com", "<a b@c>", "<bob@example.com", "<>",
                "<" + "u".repeat(64) + "@example.com>", "<" + "r".repeat(300) + "@remote.invalid>")) {
                replies.put(to, smtp.command("RCPT TO:" + to));
            }
            replies.forEach((to, reply) -> System.out.println("OBSERVED RCPT TO:" + abbreviate(to) + " -> " + reply));
            SoftAssertions soft = new SoftAssertions();
            replies.forEach((to, reply) -> soft.assertThat(reply.code()).as("RCPT TO:%s -> %s", abbreviate(to), reply).isIn(501, 550, 553));
            soft.assertAll();
            // the transaction is still open: a valid recipient and the message go through
            assertThat(smtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            String id = "after-bad-rcpt-" + shortId();
            Reply done = smtp.data(message(id, "after invalid recipients", "hi\r\n"));
            assertThat(done.code()).isEqualTo(250);
            accepted.put(id, "after invalid recipients");
            smtp.quit();
        }
    }

    /**
     * A 300-octet local part in a local domain: the address cannot exist, so the answer must be permanent (5xx). A 4xx
     * makes the sending MTA retry for days.
     */
    @Test
    @Order(13)
    void aVeryLongRecipientLocalPartInALocalDomainGetsAPermanentError() throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            assertThat(smtp.command("MAIL FROM:<" + SENDER + ">").code()).isEqualTo(250);
            Reply rcpt = smtp.command("RCPT TO:<" + "x".repeat(300) + "@example.com>");
            System.out.println("OBSERVED RCPT TO with a 300-octet local part @example.com -> " + rcpt.code() + " " + rcpt.enhancedCode());
            assertThat(smtp.command("NOOP").code()).as("session still usable").isEqualTo(250);
            assertThat(rcpt.code()).as("%s", abbreviate(rcpt.text())).isBetween(500, 599);
        }
    }

    // ----------------------------------------------------------------------------------------------- MIME corpus

    static Stream<String> corpus() {
        return CORPUS_FILES.stream();
    }

    /**
     * Each corpus file, sent as SMTP requires it (CRLF line ends, dot-stuffing), comes back over IMAP
     * ({@code BODY.PEEK[]}) byte for byte, except for: the trace block prepended at delivery (Return-Path,
     * Delivered-To, Received of this server), and the removal of the message's own {@code Return-Path} fields, which
     * RFC 5321 section 4.4 allows at final delivery. Anything else is an alteration and fails with a diff.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Order(30)
    void corpusMessageComesBackOverImapUnchanged(String file) throws Exception {
        byte[] sent = MailAccess.toCrlf(MimeFixtures.resource(file));
        int before = MailAccess.imapCount(server.imapPort, CORPUS, PASSWORD);
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply done = smtp.send(SENDER, CORPUS, sent);
            assertThat(done.code()).as("%s: %s", file, done).isEqualTo(250);
            smtp.quit();
        }
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
            .until(() -> MailAccess.imapCount(server.imapPort, CORPUS, PASSWORD) > before);
        List<ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, CORPUS, PASSWORD);
        assertThat(inbox).as("one new message").hasSize(before + 1);
        byte[] delivered = inbox.get(inbox.size() - 1).raw();

        List<String> trace = MailAccess.prependedTrace(delivered, SENDER, CORPUS);
        byte[] rest = MailAccess.withoutPrependedTrace(delivered, SENDER, CORPUS);
        String ourDeliveredTo = "Delivered-To: " + CORPUS + "\r\n";
        if (!trace.contains(ourDeliveredTo)) {
            // Known deviation, documented in the issue note: when the message already has Delivered-To fields, James'
            // local delivery (javax.mail's addHeader) puts its own right after the last of them, not at the top.
            rest = withoutOwnDeliveredToAfterExistingOnes(rest, ourDeliveredTo, file);
        }
        byte[] expected = MailAccess.withoutHeaderField(sent, "Return-Path");
        MailAccess.assertSameBytes(expected, rest, file + " altered in transit (after removing the prepended trace block "
            + trace.stream().map(f -> f.substring(0, f.indexOf(':'))).toList() + ")");
        assertThat(trace).as("%s: trace block prepended at delivery", file)
            .anySatisfy(field -> assertThat(field).isEqualTo("Return-Path: <" + SENDER + ">\r\n"))
            .anySatisfy(field -> assertThat(field).startsWith("Received: "));
    }

    private static byte[] withoutOwnDeliveredToAfterExistingOnes(byte[] message, String ourDeliveredTo, String file) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        int ours = text.indexOf(ourDeliveredTo);
        assertThat(ours).as("%s: our Delivered-To is in the header", file).isBetween(0, headerEnd);
        String before = text.substring(0, ours);
        int previousField = before.lastIndexOf("\r\n", before.length() - 3) + 2;
        assertThat(before.substring(previousField)).as("%s: the field before our Delivered-To", file)
            .startsWithIgnoringCase("Delivered-To:");
        return (before + text.substring(ours + ourDeliveredTo.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------------------ the verdict

    @Test
    @Order(100)
    void theServerStillServesAndEveryAcknowledgedMessageIsInTheMailbox() throws Exception {
        assertThat(server.isRunning()).isTrue();
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            sendNormalMail(smtp, "final normal mail");
            smtp.quit();
        }
        Map<String, String> expected = Map.copyOf(accepted);
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            List<ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, BOB, PASSWORD);
            for (String id : expected.keySet()) {
                byte[] needle = ("X-Test-Id: " + id + "\r\n").getBytes(StandardCharsets.US_ASCII);
                assertThat(inbox.stream().filter(m -> MailAccess.contains(m.raw(), needle)).count())
                    .as("copies of accepted message %s (%s) in %s", id, expected.get(id), BOB).isEqualTo(1);
            }
            assertThat(inbox).as("nothing but the acknowledged messages").hasSize(expected.size());
        });
        assertThat(MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/var%2Fmail%2Ferror")))
            .as("mail in the error repository").isZero();
        assertThat(MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, "/mailQueues/spool"))).as("spool drained").isZero();
        List<ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, BOB, PASSWORD);
        for (String id : refused) {
            byte[] needle = ("X-Test-Id: " + id + "\r\n").getBytes(StandardCharsets.US_ASCII);
            assertThat(inbox).as("refused message %s was not delivered", id).noneMatch(m -> MailAccess.contains(m.raw(), needle));
        }
        System.out.println("OBSERVED " + expected.size() + " acknowledged messages, each once in " + BOB + ": " + expected.values());
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static void sendNormalMail(SmtpClient smtp, String what) throws IOException {
        String id = "normal-" + shortId();
        Reply done = smtp.send(SENDER, BOB, message(id, what, "A perfectly normal message.\r\n"));
        assertThat(done.code()).as("normal mail %s: %s", what, done).isEqualTo(250);
        accepted.put(id, "normal mail " + what);
    }

    /** One transaction in a fresh session from the remote client; records the message as accepted on 250. */
    private static Reply sendOnce(byte[] message, String what) throws IOException {
        String id = testId(message);
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply done = smtp.send(SENDER, BOB, message);
            if (done.code() == 250) {
                accepted.put(id, what);
            } else {
                refused.add(id);
            }
            smtp.quit();
            return done;
        }
    }

    private static void assertDeliveredIntact(String id, byte[] sent) {
        ImapMessage delivered = awaitDelivered(BOB, id);
        List<String> trace = MailAccess.prependedTrace(delivered.raw(), SENDER, BOB);
        byte[] rest = MailAccess.withoutPrependedTrace(delivered.raw(), SENDER, BOB);
        byte[] expected = MailAccess.toCrlf(sent);
        assertThat(trace).as("trace block").hasSize(3);
        MailAccess.assertSameBytes(expected, rest, "message " + id + " altered in transit");
    }

    private static ImapMessage awaitDelivered(String user, String id) {
        return MailAccess.awaitTestMessage(server.imapPort, user, PASSWORD, id, DELIVERY);
    }

    private static byte[] message(String id, String subject, String body) {
        return ("From: <" + SENDER + ">\r\n"
            + "To: <" + BOB + ">\r\n"
            + "Subject: " + subject + "\r\n"
            + "Date: Mon, 2 Jun 2025 10:00:00 +0200\r\n"
            + "X-Test-Id: " + id + "\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String testId(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int start = text.indexOf("X-Test-Id: ");
        if (start < 0) {
            throw new IllegalArgumentException("no X-Test-Id");
        }
        start += "X-Test-Id: ".length();
        return text.substring(start, text.indexOf("\r\n", start));
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String abbreviate(String text) {
        return text.length() > 80 ? text.substring(0, 40) + "...(" + text.length() + " chars)..." + text.substring(text.length() - 20) : text;
    }
}
