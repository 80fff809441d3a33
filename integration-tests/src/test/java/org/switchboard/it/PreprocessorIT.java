package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;

/**
 * The preprocessor on the packaged server, with real mail: the input channel every mail carries (MX port SMTPD,
 * submission port WEBMAIL, LMTP through the pipeline SMTPD, bounces INTERNAL), the Channel Action Matrix switching a
 * module on for one channel pair and off for another, the anti-spam block list on {@code Reply-To:} with its three
 * actions (archive: the shipped wiring and block list file; delete and bounce: two more guarded configurations), and
 * loop detection (bounce to the sender as shipped, and a postmaster variant).
 *
 * <p>The test copy of the configuration adds, besides the shipped pipeline: at the end of {@code preprocess} a mailet
 * copying the input channel attribute into a header {@code X-Test-Input-Channel} and two modules guarded by
 * {@code ChannelMatrix} that add a header when they run; the delete and bounce anti-spam actions; the postmaster
 * loop variant for one recipient; LMTP through the mailet container.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreprocessorIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String POSTMASTER = "postmaster@example.com";
    /** The postmaster loop variant applies to this recipient only. */
    private static final String LOOPY = "loopy@example.com";
    private static final String PASSWORD = "preprocessor-Secret-7";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private static final String AND = "org.apache.james.mailetcontainer.impl.matchers.And";
    private static final String MATRIX = "org.switchboard.matchers.messageswitch.ChannelMatrix";
    private static final String BLOCKED = "org.switchboard.matchers.preprocessor.antispam.SenderBlocked";
    private static final String LOOP = "org.switchboard.matchers.preprocessor.loop.LoopDetected";

    @TempDir
    static Path tempDir;
    static PackagedServer server;
    private static String hostName;

    @BeforeAll
    static void boot() throws Exception {
        long start = System.nanoTime();
        server = PackagedServer.unpack(tempDir);
        configureForTheTest();
        server.startWith(DOMAIN, PASSWORD, ALICE, BOB, POSTMASTER, LOOPY);
        System.out.printf("PreprocessorIT: server up and provisioned in %d s%n", (System.nanoTime() - start) / 1_000_000_000);
    }

    private static void configureForTheTest() throws Exception {
        PipelineEditor pipeline = PipelineEditor.of(server).postmaster(POSTMASTER);
        PipelineEditor.Processor preprocess = pipeline.processor("preprocess");
        // the postmaster variant of loop detection, for LOOPY only, before the shipped one
        preprocess.mailetMatching(LOOP + "=10").insertBefore("""
            <matcher name="test-loop-postmaster" match="%s">
                <matcher match="RecipientIs=%s"/>
                <matcher match="%s=10"/>
            </matcher>
            <mailet match="test-loop-postmaster" class="ToProcessor">
                <processor>test-loop-postmaster</processor>
                <notice>Mail loop (postmaster variant)</notice>
            </mailet>""".formatted(AND, LOOPY, LOOP));
        // SpamDelete and SpamBounce, for mail from the MX port, next to the shipped SpamArchive
        preprocess.mailetMatching("spam-blocked").insertAfter("""
            <matcher name="test-spam-delete" match="%1$s">
                <matcher match="%2$s=in:SMTPD"/>
                <matcher match="%3$s=Reply-To: *@delete.spam.example"/>
            </matcher>
            <mailet match="test-spam-delete" class="Null"/>
            <matcher name="test-spam-bounce" match="%1$s">
                <matcher match="%2$s=in:SMTPD;out:LOCAL"/>
                <matcher match="%3$s=Reply-To: bounce.spam.example"/>
            </matcher>
            <mailet match="test-spam-bounce" class="Bounce">
                <notice>Refused by the anti-spam filter</notice>
                <attachment>none</attachment>
                <passThrough>false</passThrough>
            </mailet>""".formatted(AND, MATRIX, BLOCKED));
        // what the mail looked like at the end of preprocess: its input channel, and which guarded modules ran
        preprocess.mailetHandingTo("transport").insertBefore("""
            <mailet match="All" class="MailAttributesToMimeHeaders">
                <simplemapping>org.switchboard.input-channel;X-Test-Input-Channel</simplemapping>
            </mailet>
            <mailet match="%1$s=in:SMTPD;out:LOCAL" class="SetMimeHeader">
                <name>X-Test-Module-Smtpd-Local</name>
                <value>ran</value>
            </mailet>
            <mailet match="%1$s=in:!SMTPD;out:LOCAL" class="SetMimeHeader">
                <name>X-Test-Module-Not-Smtpd</name>
                <value>ran</value>
            </mailet>""".formatted(MATRIX));
        pipeline.addProcessor("""
            <processor state="test-loop-postmaster" enableJmx="false">
                <mailet match="All" class="NotifyPostmaster">
                    <attachment>heads</attachment>
                    <fakeDomainCheck>false</fakeDomainCheck>
                    <onMailetException>ignore</onMailetException>
                </mailet>
                <mailet match="All" class="ToRepository">
                    <repositoryPath>jpa://var/mail/loop/</repositoryPath>
                </mailet>
            </processor>""");
        pipeline.save();
        // LMTP through the pipeline (shipped: straight into the mailboxes), to see its input channel
        server.rewrite("lmtpserver.xml", "<handlerchain>",
            "<handlerchain coreHandlersPackage=\"org.apache.james.lmtpserver.MailetContainerCmdHandlerLoader\">");
        server.rewrite("lmtpserver.xml", "<handler class=\"org.apache.james.lmtpserver.CoreCmdHandlerLoader\"/>", "");
        // SpamArchive through the shipped wiring: an entry in the shipped block list file
        Files.writeString(server.home.resolve("conf/antispam-blocklist.txt"),
            "\nReply-To: *@archive.spam.example\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "PreprocessorIT");
    }

    // ------------------------------------------------------------------------------- input channel and the matrix

    @Test
    @Order(1)
    void mailFromTheMxPortIsSmtpdAndTheModuleForSmtpdToLocalRuns() throws Exception {
        String subject = "via MX " + shortId();
        sendFromTheInternet(subject, "");

        ImapMessage delivered = awaitMessage(BOB, subject);
        assertThat(header(delivered, "X-Test-Input-Channel")).contains("SMTPD");
        assertThat(header(delivered, "X-Test-Module-Smtpd-Local")).as("module on for SMTPD -> LOCAL").contains("ran");
        assertThat(header(delivered, "X-Test-Module-Not-Smtpd")).as("module for !SMTPD").isEmpty();
        System.out.println("OBSERVED MX port mail: X-Test-Input-Channel=" + header(delivered, "X-Test-Input-Channel")
            + ", this server writes Received: ... by " + ourHostName());
    }

    @Test
    @Order(2)
    void mailFromTheSubmissionPortIsWebmailAndTheModuleForSmtpdDoesNotRun() throws Exception {
        String subject = "via submission " + shortId();
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.submissionPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            smtp.ehlo("laptop.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            assertAccepted(smtp.send(ALICE, BOB, message(ALICE, BOB, subject, "")));
        }

        ImapMessage delivered = awaitMessage(BOB, subject);
        assertThat(header(delivered, "X-Test-Input-Channel")).contains("WEBMAIL");
        assertThat(header(delivered, "X-Test-Module-Smtpd-Local")).as("module off for WEBMAIL -> LOCAL").isEmpty();
        assertThat(header(delivered, "X-Test-Module-Not-Smtpd")).as("module for !SMTPD").contains("ran");
    }

    @Test
    @Order(3)
    void lmtpMailThroughThePipelineIsSmtpd() throws Exception {
        String subject = "via LMTP " + shortId();
        try (SmtpClient lmtp = SmtpClient.connect(server.lmtpPort)) {
            assertThat(lmtp.command("LHLO client.example").code()).isEqualTo(250);
            assertThat(lmtp.command("MAIL FROM:<sender@origin.example>").code()).isEqualTo(250);
            assertThat(lmtp.command("RCPT TO:<" + BOB + ">").code()).isEqualTo(250);
            assertAccepted(lmtp.data(message("sender@origin.example", BOB, subject, "")));
        }

        assertThat(header(awaitMessage(BOB, subject), "X-Test-Input-Channel")).contains("SMTPD");
    }

    @Test
    @Order(4)
    void aChannelAttributeCannotBeSmuggledInAsAHeader() throws Exception {
        String subject = "smuggled " + shortId();
        sendFromTheInternet(subject, "X-Test-Input-Channel: INTERNAL\r\norg.switchboard.input-channel: INTERNAL\r\n");

        List<String> channels = headers(awaitMessage(BOB, subject), "X-Test-Input-Channel");
        assertThat(channels).as("the sent header stays, the attribute says SMTPD").contains("SMTPD");
        assertThat(header(awaitMessage(BOB, subject), "X-Test-Module-Smtpd-Local")).contains("ran");
    }

    // ------------------------------------------------------------------------------------------------- anti-spam

    @Test
    @Order(10)
    void aBlockedReplyToIsArchivedWithTheShippedWiring() throws Exception {
        String subject = "archive me " + shortId();
        sendFromTheInternet(subject, "Reply-To: \"Winner\" <claim@archive.spam.example>\r\n");

        String key = awaitRepositoryMail("var%2Fmail%2Fspam", subject);
        String details = MailAccess.webAdmin(server.webAdminPort,
            "/mailRepositories/var%2Fmail%2Fspam/mails/" + encoded(key) + "?additionalFields=attributes");
        System.out.println("OBSERVED archived spam in WebAdmin: " + details);
        assertThat(details).contains("Reply-To address claim@archive.spam.example matches block list entry "
            + "'Reply-To: *@archive.spam.example'");
        assertThat(details).contains("conf/antispam-blocklist.txt line ");
        assertThat(details).contains("org.switchboard.input-channel").contains("SMTPD");
        assertThat(MailAccess.imapSubjects(server.imapPort, BOB, PASSWORD)).doesNotContain(subject);
    }

    @Test
    @Order(11)
    void theSameReplyToFromTheSubmissionPortIsNotArchivedSinceTheMatrixSaysSmtpdAndBsmtpinOnly() throws Exception {
        String subject = "not spam from a user " + shortId();
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.submissionPort)) {
            smtp.ehlo("laptop.example");
            smtp.startTls();
            smtp.ehlo("laptop.example");
            assertThat(smtp.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            assertAccepted(smtp.send(ALICE, BOB, message(ALICE, BOB, subject, "Reply-To: claim@archive.spam.example\r\n")));
        }

        assertThat(header(awaitMessage(BOB, subject), "X-Test-Input-Channel")).contains("WEBMAIL");
        assertThat(repositoryMailWithSubject("var%2Fmail%2Fspam", subject)).isEmpty();
    }

    @Test
    @Order(12)
    void aBlockedReplyToIsDeleted() throws Exception {
        String subject = "delete me " + shortId();
        sendFromTheInternet(subject, "Reply-To: =?UTF-8?Q?Caf=C3=A9?= <offers@delete.spam.example>, friend@good.example\r\n");

        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(300)).until(() ->
            server.log().contains("blocked: Reply-To address offers@delete.spam.example matches block list entry "
                + "'Reply-To: *@delete.spam.example' (inline entry)"));
        // a message sent after it, through the same pipeline, is delivered: the deleted one had its chance
        String after = "after the deleted one " + shortId();
        sendFromTheInternet(after, "");
        awaitMessage(BOB, after);
        assertThat(MailAccess.imapSubjects(server.imapPort, BOB, PASSWORD)).doesNotContain(subject);
        assertThat(repositoryMailWithSubject("var%2Fmail%2Fspam", subject)).isEmpty();
        assertThat(repositoryMailWithSubject("var%2Fmail%2Ferror", subject)).isEmpty();
    }

    @Test
    @Order(13)
    void aBlockedReplyToIsBouncedToTheSenderAsInternalMail() throws Exception {
        String subject = "bounce me " + shortId();
        // 127.0.0.1 may use a local sender without AUTH (authorized network); the MX port makes it SMTPD
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            assertAccepted(smtp.send(ALICE, BOB, message(ALICE, BOB, subject, "Reply-To: x@BOUNCE.spam.example\r\n")));
        }

        ImapMessage bounce = awaitMessageContaining(ALICE, subject);
        System.out.println("OBSERVED anti-spam bounce:\n" + bounce.text());
        assertThat(bounce.text()).contains("Refused by the anti-spam filter")
            .contains("Reply-To address x@bounce.spam.example matches block list entry 'Reply-To: bounce.spam.example'");
        assertThat(header(bounce, "X-Test-Input-Channel")).as("a bounce is mail the server created").contains("INTERNAL");
        assertThat(header(bounce, "X-Test-Module-Not-Smtpd")).contains("ran");
        assertThat(MailAccess.imapSubjects(server.imapPort, BOB, PASSWORD)).doesNotContain(subject);
    }

    // -------------------------------------------------------------------------------------------- loop detection

    @Test
    @Order(20)
    void tenReceivedFieldsOfOursPlusThisPassAreALoopBouncedToTheSenderAndKept() throws Exception {
        String subject = "looping " + shortId();
        sendWithOurReceivedFields(ALICE, BOB, subject, 10);

        ImapMessage bounce = awaitMessageContaining(ALICE, subject);
        System.out.println("OBSERVED loop bounce:\n" + bounce.text());
        assertThat(bounce.text()).contains("Mail loop: this server appears in more than 10 Received: header fields");
        assertThat(header(bounce, "X-Test-Input-Channel")).contains("INTERNAL");
        awaitRepositoryMail("var%2Fmail%2Floop", subject);
        assertThat(MailAccess.imapSubjects(server.imapPort, BOB, PASSWORD)).doesNotContain(subject);
        assertThat(server.log()).contains("is in a loop: more than 10 Received fields name this server");
    }

    @Test
    @Order(21)
    void nineFieldsOfOursPlusThisPassAreNoLoop() throws Exception {
        String subject = "nearly looping " + shortId();
        sendWithOurReceivedFields(ALICE, BOB, subject, 9);

        ImapMessage delivered = awaitMessage(BOB, subject);
        String byUs = "by " + ourHostName() + " ";
        assertThat(headers(delivered, "Received").stream().filter(field -> field.contains(byUs))).hasSize(10);
    }

    @Test
    @Order(22)
    void thePostmasterVariantNotifiesThePostmasterInsteadOfTheSender() throws Exception {
        String subject = "looping to postmaster " + shortId();
        sendWithOurReceivedFields(BOB, LOOPY, subject, 10);

        ImapMessage notice = awaitMessageContaining(POSTMASTER, subject);
        assertThat(notice.text()).contains("Mail loop (postmaster variant)");
        awaitRepositoryMail("var%2Fmail%2Floop", subject);
        assertThat(MailAccess.imapInbox(server.imapPort, BOB, PASSWORD))
            .as("no bounce to the sender").noneMatch(message -> message.text().contains(subject));
        assertThat(MailAccess.imapSubjects(server.imapPort, LOOPY, PASSWORD)).doesNotContain(subject);
    }

    @Test
    @Order(30)
    void nothingWentToTheErrorRepository() throws Exception {
        assertThat(MailAccess.jsonSize(MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/var%2Fmail%2Ferror")))
            .as("error repository").isZero();
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Sends from 127.0.0.1 on the MX port a message carrying {@code count} Received fields written by this server. */
    private static void sendWithOurReceivedFields(String from, String to, String subject, int count) throws Exception {
        StringBuilder received = new StringBuilder();
        for (int i = 0; i < count; i++) {
            received.append("Received: from relay").append(i).append(".example.net ([192.0.2.").append(i + 1).append("])\r\n")
                .append("          by ").append(ourHostName()).append(" (JAMES SMTP Server) with ESMTP ID loop").append(i)
                .append("\r\n          for <").append(to).append(">;\r\n          Mon, 2 Jun 2025 10:0").append(i % 10)
                .append(":00 +0200 (CEST)\r\n");
        }
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("client.example");
            assertAccepted(smtp.send(from, to, (received + new String(message(from, to, subject, ""),
                StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The host name this server writes in {@code Received: ... by <host> (JAMES SMTP Server )}, read from real mail. */
    private static synchronized String ourHostName() throws Exception {
        if (hostName == null) {
            String subject = "probe " + shortId();
            try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
                smtp.ehlo("client.example");
                assertAccepted(smtp.send("probe@origin.example", ALICE, message("probe@origin.example", ALICE, subject, "")));
            }
            for (String field : headers(awaitMessage(ALICE, subject), "Received")) {
                Matcher by = Pattern.compile("\\bby (\\S+) \\(JAMES SMTP Server *\\)").matcher(field);
                if (by.find()) {
                    hostName = by.group(1);
                    break;
                }
            }
            assertThat(hostName).as("by clause of this server's Received field").isNotNull();
        }
        return hostName;
    }

    /** Mail from the Internet: a remote client on the MX port sends sender@origin.example's message to bob. */
    private static void sendFromTheInternet(String subject, String extraHeaders) throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("origin.example");
            assertAccepted(smtp.send("sender@origin.example", BOB, message("sender@origin.example", BOB, subject,
                extraHeaders)));
        }
    }

    private static void assertAccepted(Reply reply) {
        assertThat(reply.code()).as("SMTP reply: %s", reply).isEqualTo(250);
    }

    static byte[] message(String from, String to, String subject, String extraHeaders) {
        String message = "From: <" + from + ">\r\n"
            + "To: <" + to + ">\r\n"
            + extraHeaders
            + "Subject: " + subject + "\r\n"
            + "Date: Mon, 2 Jun 2025 10:00:00 +0200\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@origin.example>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "\r\n"
            + "Hello.\r\n";
        return message.getBytes(StandardCharsets.UTF_8);
    }

    /** The message of the user's INBOX whose Subject is {@code subject}, once delivered. */
    private static ImapMessage awaitMessage(String user, String subject) {
        return awaitMatching(user, message -> header(message, "Subject").filter(subject::equals).isPresent());
    }

    /** The message of the user's INBOX that contains {@code text} anywhere (a bounce quoting the subject). */
    private static ImapMessage awaitMessageContaining(String user, String text) {
        return awaitMatching(user, message -> message.text().contains(text));
    }

    private static ImapMessage awaitMatching(String user, java.util.function.Predicate<ImapMessage> wanted) {
        List<ImapMessage> found = new ArrayList<>();
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Optional<ImapMessage> match = MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream().filter(wanted).findFirst();
            match.ifPresent(found::add);
            return match.isPresent();
        });
        return found.get(0);
    }

    /** The first value of a header field (unfolded, trimmed). */
    private static Optional<String> header(ImapMessage message, String name) {
        return headers(message, name).stream().findFirst();
    }

    private static List<String> headers(ImapMessage message, String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        List<String> values = new ArrayList<>();
        for (String field : MailAccess.headerFields(message.raw())) {
            if (field.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                values.add(field.substring(prefix.length()).replaceAll("\r\n[ \t]+", " ").trim());
            }
        }
        return values;
    }

    /** The key of the repository's mail whose Subject is {@code subject}, once it is there. */
    private static String awaitRepositoryMail(String repository, String subject) {
        List<String> found = new ArrayList<>();
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            Optional<String> key = repositoryMailWithSubject(repository, subject);
            key.ifPresent(found::add);
            return key.isPresent();
        });
        return found.get(0);
    }

    private static Optional<String> repositoryMailWithSubject(String repository, String subject) throws Exception {
        String listing;
        try {
            listing = MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/" + repository + "/mails");
        } catch (IllegalStateException notCreatedYet) {
            return Optional.empty();
        }
        Matcher keys = Pattern.compile("\"([^\"]+)\"").matcher(listing);
        while (keys.find()) {
            String details = MailAccess.webAdmin(server.webAdminPort, "/mailRepositories/" + repository + "/mails/"
                + encoded(keys.group(1)) + "?additionalFields=headers");
            if (details.contains(subject)) {
                return Optional.of(keys.group(1));
            }
        }
        return Optional.empty();
    }

    private static String encoded(String key) {
        return java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
