package org.switchboard.matchers.preprocessor.antispam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.ReloadingFile;

class SenderBlockedTest {
    @TempDir
    Path base;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private SenderBlocked senderBlocked(String condition) throws MessagingException {
        SenderBlocked matcher = new SenderBlocked(new ConfigFiles(base.resolve("conf")), clock::get);
        matcher.init(FakeMatcherConfig.builder().matcherName("SenderBlocked").condition(condition).build());
        return matcher;
    }

    private static Mail mail(String sender, String headers) throws MessagingException {
        byte[] raw = (headers + "Subject: offer\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        return FakeMail.builder().name("mail1")
            .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.getMailSender(sender))
            .recipients("user@example.com", "other@example.com")
            .mimeMessage(message).build();
    }

    private void writeList(String... lines) throws IOException {
        Path file = base.resolve("conf/antispam-blocklist.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Rewrites the list with a modification time one second later, as an editor would. */
    private void rewriteList(String... lines) throws IOException {
        Path file = base.resolve("conf/antispam-blocklist.txt");
        FileTime before = Files.getLastModifiedTime(file);
        writeList(lines);
        Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(1)));
    }

    private void advance(long seconds) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Nested
    class Matching {
        @Test
        void eachCheckedHeaderBlocks() throws MessagingException {
            SenderBlocked matcher = senderBlocked("*@spam.example");
            for (String header : new String[] {"From", "Sender", "Reply-To", "Resent-From", "Return-Path"}) {
                Mail mail = mail("good@example.org", "From: good@example.org\r\n" + header + ": X <x@spam.example>\r\n");
                assertThat(matcher.match(mail)).as(header)
                    .containsExactly(new MailAddress("user@example.com"), new MailAddress("other@example.com"));
            }
        }

        @Test
        void otherHeadersDoNotBlock() throws MessagingException {
            Mail mail = mail("good@example.org", "From: good@example.org\r\nTo: x@spam.example\r\nCc: y@spam.example\r\n"
                + "X-Reply-To: z@spam.example\r\n");

            assertThat(senderBlocked("*@spam.example").match(mail)).isEmpty();
        }

        @Test
        void theEnvelopeSenderCountsAsReturnPath() throws MessagingException {
            Mail mail = mail("bounces@spam.example", "From: good@example.org\r\n");

            assertThat(senderBlocked("spam.example").match(mail)).hasSize(2);
            assertThat(senderBlocked("Return-Path: spam.example").match(mail)).hasSize(2);
            assertThat(senderBlocked("From: spam.example").match(mail)).isEmpty();
        }

        @Test
        void aNullSenderIsNoAddress() throws MessagingException {
            assertThat(senderBlocked("/.*/").match(mail(null, "Subject: x\r\n"))).isEmpty();
        }

        @Test
        void aBlockedMailSaysWhyInItsErrorMessageAndAnAttribute() throws MessagingException {
            Mail mail = mail("good@example.org", "From: good@example.org\r\nReply-To: <Win@Spam.Example>\r\n");

            assertThat(senderBlocked("good@example.net, Reply-To: *@spam.example").match(mail)).hasSize(2);
            assertThat(mail.getErrorMessage()).isEqualTo("Blocked by the anti-spam filter: Reply-To address "
                + "win@spam.example matches block list entry 'Reply-To: *@spam.example'");
            assertThat(mail.getAttribute(SenderBlocked.ATTRIBUTE).map(attribute -> (Object) attribute.getValue().value()))
                .contains("Reply-To address win@spam.example matches block list entry 'Reply-To: *@spam.example' "
                    + "(inline entry)");
        }

        @Test
        void aMailNotBlockedIsNotChanged() throws MessagingException {
            Mail mail = mail("good@example.org", "From: good@example.org\r\n");

            assertThat(senderBlocked("*@spam.example").match(mail)).isEmpty();
            assertThat(mail.getErrorMessage()).isNull();
            assertThat(mail.getAttribute(SenderBlocked.ATTRIBUTE)).isEmpty();
        }

        @Test
        void inlineEntriesAndFilesTogether() throws Exception {
            writeList("# list", "from-file.example");
            SenderBlocked matcher = senderBlocked("inline.example, file://conf/antispam-blocklist.txt");

            assertThat(matcher.match(mail("a@example.org", "From: x@inline.example\r\n"))).hasSize(2);
            assertThat(matcher.match(mail("a@example.org", "From: x@from-file.example\r\n"))).hasSize(2);
            assertThat(matcher.match(mail("a@example.org", "From: x@good.example\r\n"))).isEmpty();
        }

        @Test
        void absoluteFilePaths() throws Exception {
            Path file = base.resolve("elsewhere.txt");
            Files.writeString(file, "spam.example\n");

            assertThat(senderBlocked("file://" + file.toAbsolutePath()).match(mail("a@spam.example", "From: a@b.example\r\n")))
                .hasSize(2);
        }

        @Test
        void theShippedEmptyListBlocksNothing() throws Exception {
            Path shipped = Path.of("../conf/antispam-blocklist.txt");
            assertThat(shipped).exists();
            writeList(Files.readAllLines(shipped).toArray(String[]::new));
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");

            assertThat(matcher.match(mail("spammer@spam.example", "From: spammer@spam.example\r\n"
                + "Reply-To: x@spam.example\r\n"))).isEmpty();
        }
    }

    @Nested
    class HostileInput {
        @Test
        void malformedHeadersAreReadTolerantly() throws MessagingException {
            SenderBlocked matcher = senderBlocked("*@spam.example");

            assertThat(matcher.match(mail("a@example.org", "From: \"broken <x@spam.example\r\n"))).hasSize(2);
            assertThat(matcher.match(mail("a@example.org", "From: <<<>>>, ,,, @@@\r\nReply-To: (((\r\n"))).isEmpty();
            assertThat(matcher.match(mail("a@example.org",
                "From: =?UTF-8?B?c3BhbW1lckBzcGFtLmV4YW1wbGU=?=\r\n"))).hasSize(2);
            assertThat(matcher.match(mail("a@example.org", "From: =?bogus?Q?=FF=FE?= <a@example.org>\r\n"))).isEmpty();
        }

        @Test
        void rawEightBitHeaders() throws MessagingException {
            byte[] raw = "From: Ren\u00e9 <ren\u00e9@spam.example>\r\nSubject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1);
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
            Mail mail = FakeMail.builder().name("m").recipients("user@example.com").mimeMessage(message).build();

            assertThat(senderBlocked("spam.example").match(mail)).hasSize(1);
        }

        @Test
        void anUnreadableMessageIsNotMatchedNorThrown() throws MessagingException {
            Mail mail = FakeMail.builder().name("broken").recipients("user@example.com")
                .mimeMessage(new MimeMessage(Session.getInstance(new Properties())) {
                    @Override
                    public String[] getHeader(String name) throws MessagingException {
                        throw new MessagingException("cannot parse the header");
                    }
                }).build();

            assertThat(senderBlocked("/.*/").match(mail)).isEmpty();
        }
    }

    @Nested
    class Reloading {
        @Test
        void aChangedFileIsReadAgainAfterTheCheckInterval() throws Exception {
            writeList("first.example");
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");
            Mail second = mail("a@second.example", "From: a@second.example\r\n");

            rewriteList("first.example", "second.example");
            assertThat(matcher.match(second)).as("within the interval: not re-read yet").isEmpty();
            advance(ReloadingFile.CHECK_SECONDS);
            assertThat(matcher.match(second)).as("after the interval").hasSize(2);
        }

        @Test
        void anUnchangedFileIsNotReadAgain() throws Exception {
            writeList("first.example");
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");
            Path file = base.resolve("conf/antispam-blocklist.txt");
            FileTime time = Files.getLastModifiedTime(file);
            Files.writeString(file, "other.example\n"); // same size, same time: taken as unchanged
            Files.setLastModifiedTime(file, time);
            advance(60);

            assertThat(matcher.match(mail("a@first.example", "From: a@first.example\r\n"))).hasSize(2);
        }

        @Test
        void aBrokenEditKeepsThePreviousListUntilFixed() throws Exception {
            writeList("first.example");
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");

            rewriteList("first.example", "/[unclosed/");
            advance(ReloadingFile.CHECK_SECONDS);
            assertThat(matcher.match(mail("a@first.example", "From: a@first.example\r\n"))).as("previous list").hasSize(2);

            rewriteList("second.example");
            advance(ReloadingFile.CHECK_SECONDS);
            assertThat(matcher.match(mail("a@first.example", "From: a@first.example\r\n"))).as("fixed list").isEmpty();
            assertThat(matcher.match(mail("a@second.example", "From: a@second.example\r\n"))).hasSize(2);
        }

        @Test
        void aDeletedFileKeepsThePreviousList() throws Exception {
            writeList("first.example");
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");
            Files.delete(base.resolve("conf/antispam-blocklist.txt"));
            advance(ReloadingFile.CHECK_SECONDS);

            assertThat(matcher.match(mail("a@first.example", "From: a@first.example\r\n"))).hasSize(2);

            writeList("second.example");
            Files.setLastModifiedTime(base.resolve("conf/antispam-blocklist.txt"), FileTime.from(Instant.now().plusSeconds(5)));
            advance(ReloadingFile.CHECK_SECONDS);
            assertThat(matcher.match(mail("a@second.example", "From: a@second.example\r\n"))).as("back").hasSize(2);
        }

        @Test
        void anEmptiedFileUnblocksEverything() throws Exception {
            writeList("first.example");
            SenderBlocked matcher = senderBlocked("file://conf/antispam-blocklist.txt");
            rewriteList("# nothing any more");
            advance(ReloadingFile.CHECK_SECONDS);

            assertThat(matcher.match(mail("a@first.example", "From: a@first.example\r\n"))).isEmpty();
        }
    }

    @Nested
    class BadConfiguration {
        @ParameterizedTest
        @ValueSource(strings = {"", "   "})
        void emptyCondition(String condition) {
            assertThatThrownBy(() -> senderBlocked(condition))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("SenderBlocked: empty condition")
                .hasMessageContaining("SenderBlocked=file://conf/antispam-blocklist.txt");
        }

        @Test
        void nullCondition() {
            assertThatThrownBy(() -> senderBlocked(null)).hasMessageStartingWith("SenderBlocked: empty condition");
        }

        @ParameterizedTest
        @ValueSource(strings = {"a.example,,b.example", "a.example,", ",a.example"})
        void emptyItems(String condition) {
            assertThatThrownBy(() -> senderBlocked(condition))
                .hasMessage("SenderBlocked: invalid condition '" + condition + "': an empty item (two commas, or a comma at an end)");
        }

        @Test
        void missingFile() {
            assertThatThrownBy(() -> senderBlocked("file://conf/missing.txt"))
                .hasMessageStartingWith("SenderBlocked: invalid condition 'file://conf/missing.txt': Block list "
                    + base.resolve("conf/missing.txt") + " is not usable: NoSuchFileException");
        }

        @ParameterizedTest
        @ValueSource(strings = {"file://", "file://var/list.txt", "file:list.txt"})
        void aFileOutsideTheRuleOfConfigFiles(String item) {
            assertThatThrownBy(() -> senderBlocked(item))
                .hasMessageStartingWith("SenderBlocked: invalid condition '" + item + "': '" + item
                    + "' is not a file name");
        }

        @Test
        void aFileWithoutName() {
            assertThatThrownBy(() -> senderBlocked("file://conf/"))
                .hasMessage("SenderBlocked: invalid condition 'file://conf/': 'file://conf/' names no file");
        }

        @Test
        void aBadLineInTheFileNamesTheFileAndLine() throws Exception {
            writeList("# ok", "spam.example", "To: x@spam.example");

            assertThatThrownBy(() -> senderBlocked("file://conf/antispam-blocklist.txt"))
                .hasMessageStartingWith("SenderBlocked: invalid condition 'file://conf/antispam-blocklist.txt': "
                    + "Block list " + base.resolve("conf/antispam-blocklist.txt") + " is not usable: "
                    + "file://conf/antispam-blocklist.txt line 3: 'To: x@spam.example': 'To:' is not a checked header");
        }

        @Test
        void aFileThatIsNotUtf8() throws Exception {
            Path file = base.resolve("conf/latin1.txt");
            Files.createDirectories(file.getParent());
            Files.write(file, "caf\u00e9.example\n".getBytes(StandardCharsets.ISO_8859_1));

            assertThatThrownBy(() -> senderBlocked("file://conf/latin1.txt"))
                .hasMessageContaining("file://conf/latin1.txt is not UTF-8 text");
        }

        @Test
        void aBadInlineEntry() {
            assertThatThrownBy(() -> senderBlocked("spam.example, /[x/"))
                .hasMessageStartingWith("SenderBlocked: invalid condition 'spam.example, /[x/': inline entry: '/[x/' "
                    + "is not a valid regular expression");
        }

        @Test
        void aValueThatIsNoEntry() {
            assertThatThrownBy(() -> senderBlocked("spam example"))
                .hasMessageContaining("inline entry: 'spam example' contains a space");
        }
    }

    @Test
    void withoutArgumentsFilesAreInTheServersConfDirectory() throws Exception {
        // James' GuiceMatcherLoader: injector.getInstance(class) needs a public no-argument (or @Inject) constructor
        writeList("spam.example");
        String previous = System.getProperty("working.directory");
        System.setProperty("working.directory", base.toString());
        try {
            SenderBlocked matcher = SenderBlocked.class.getConstructor().newInstance();
            matcher.init(FakeMatcherConfig.builder().matcherName("SenderBlocked")
                .condition("file://conf/antispam-blocklist.txt").build());

            assertThat(matcher.match(mail("a@spam.example", "From: a@spam.example\r\n"))).hasSize(2);
        } finally {
            if (previous == null) {
                System.clearProperty("working.directory");
            } else {
                System.setProperty("working.directory", previous);
            }
        }
    }
}
