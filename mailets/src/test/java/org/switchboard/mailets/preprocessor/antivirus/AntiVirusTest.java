package org.switchboard.mailets.preprocessor.antivirus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.google.inject.Guice;

class AntiVirusTest {
    private static final String POSTMASTER = "postmaster@example.com";
    private static final String SENDER = "sender@outside.example.net";
    private static final String RECIPIENT = "user@example.com";
    private static final MailRepositoryUrl QUARANTINE = MailRepositoryUrl.from("jpa://var/mail/quarantine/");

    private FakeScanner scanner;
    private FakeMailRepositoryStore repositories;
    private FakeMailContext context;
    private Map<String, Object> created;

    @BeforeEach
    void setUp() throws Exception {
        scanner = new FakeScanner();
        repositories = new FakeMailRepositoryStore();
        context = FakeMailContext.builder().postmaster(new MailAddress(POSTMASTER)).build();
        created = new HashMap<>();
    }

    private AntiVirus antiVirus(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("AntiVirus")
            .mailetContext(context)
            .setProperty("onMailetException", "antivirus-unavailable");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        AntiVirus mailet = new AntiVirus(repositories, (host, port, timeout) -> {
            created.put("host", host);
            created.put("port", port);
            created.put("timeout", timeout);
            return scanner;
        });
        mailet.init(config.build());
        return mailet;
    }

    private static FakeMail mail(String raw) throws MessagingException {
        return mail(TestMessages.parse(raw), SENDER);
    }

    private static FakeMail mail(MimeMessage message, String sender) throws MessagingException {
        return FakeMail.builder()
            .name("mail1")
            .mimeMessage(message)
            .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(sender)))
            .recipients(RECIPIENT, "other@example.com")
            .state("preprocess")
            .remoteAddr("192.0.2.7")
            .remoteHost("mx.outside.example.net")
            .build();
    }

    private static List<String> header(Mail mail) throws MessagingException {
        String[] values = mail.getMessage().getHeader(AntiVirus.HEADER);
        return values == null ? List.of() : Arrays.stream(values).map(MimeUtility::unfold).toList();
    }

    private static byte[] bytes(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static String text(MimeMessage message) throws IOException, MessagingException {
        return new String(bytes(message), StandardCharsets.UTF_8);
    }

    private MailRepository quarantine() {
        return repositories.repositories.get(QUARANTINE);
    }

    private List<Mail> quarantined() throws MessagingException {
        List<Mail> mails = new ArrayList<>();
        MailRepository repository = quarantine();
        for (var keys = repository.list(); keys.hasNext(); ) {
            MailKey key = keys.next();
            mails.add(repository.retrieve(key));
        }
        return mails;
    }

    @Nested
    class Configuration {
        @Test
        void defaults() throws Exception {
            antiVirus();

            assertThat(created).containsEntry("host", "127.0.0.1").containsEntry("port", 3310)
                .containsEntry("timeout", Duration.ofSeconds(60));
            assertThat(repositories.repositories).containsOnlyKeys(QUARANTINE);
        }

        @Test
        void explicitValues() throws Exception {
            antiVirus("host", "clamd.example.com", "port", "3311", "timeout", "500ms", "action", "BOUNCE",
                "maxScanSize", "1k", "unscannable", "archive", "quarantineRepository", "memory://var/av/",
                "notice", "admin@example.com");

            assertThat(created).containsEntry("host", "clamd.example.com").containsEntry("port", 3311)
                .containsEntry("timeout", Duration.ofMillis(500));
            assertThat(repositories.repositories).containsOnlyKeys(MailRepositoryUrl.from("memory://var/av/"));
        }

        @Test
        void timeoutWithoutUnitIsSeconds() throws Exception {
            antiVirus("timeout", "30");

            assertThat(created).containsEntry("timeout", Duration.ofSeconds(30));
        }

        @Test
        void noQuarantineNeededWhenNothingIsArchived() throws Exception {
            antiVirus("action", "delete", "unscannable", "deliver");

            assertThat(repositories.repositories).isEmpty();
        }

        @Test
        void destroyClosesTheScanner() throws Exception {
            antiVirus().destroy();

            assertThat(scanner.closed).isTrue();
        }

        @ParameterizedTest(name = "{0}={1}")
        @MethodSource("org.switchboard.mailets.preprocessor.antivirus.AntiVirusTest#badParameters")
        void badParameterFailsStartUpNamingMailetAndParameter(String parameter, String value) {
            assertThatThrownBy(() -> antiVirus(parameter, value))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: ")
                .hasMessageContaining(parameter);
        }

        @Test
        void unknownParameterIsRefused() {
            assertThatThrownBy(() -> antiVirus("hots", "127.0.0.1"))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: ")
                .hasMessageContaining("hots");
        }

        @Test
        void missingQuarantineRepositoryFailsStartUp() {
            repositories.broken = true;

            assertThatThrownBy(() -> antiVirus("action", "archive"))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: ")
                .hasMessageContaining("quarantineRepository");
        }

        @Test
        void guiceBuildsItAsJamesDoes() {
            AntiVirus instance = Guice.createInjector(binder -> binder.bind(MailRepositoryStore.class)
                    .toInstance(repositories))
                .getInstance(AntiVirus.class);

            assertThat(instance).isNotNull();
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> badParameters() {
        return Stream.of(
            new String[] {"host", ""},
            new String[] {"host", "clamd example"},
            new String[] {"port", "clamd"},
            new String[] {"port", "0"},
            new String[] {"port", "65536"},
            new String[] {"port", ""},
            new String[] {"timeout", "soon"},
            new String[] {"timeout", "0s"},
            new String[] {"timeout", "2h"},
            new String[] {"timeout", "-5s"},
            new String[] {"action", "quarantine"},
            new String[] {"action", ""},
            new String[] {"unscannable", "drop"},
            new String[] {"maxScanSize", "0"},
            new String[] {"maxScanSize", "25MB"},
            new String[] {"maxScanSize", "5T"},
            new String[] {"maxScanSize", "-1"},
            new String[] {"maxScanSize", "5G"},
            new String[] {"maxScanSize", "9999999999999"},
            new String[] {"notice", "not an address"},
            new String[] {"quarantineRepository", "var/mail/quarantine"},
            new String[] {"onMailetException", "ignore"},
            new String[] {"onMailetException", " IGNORE "}
        ).map(pair -> org.junit.jupiter.params.provider.Arguments.of((Object[]) pair));
    }

    @Nested
    class Scanning {
        @Test
        void cleanMailGoesOnWithTheResultHeader() throws Exception {
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(mail.getRecipients()).hasSize(2);
            assertThat(context.getSentMails()).isEmpty();
            assertThat(scanner.scanned).as("the whole message, then its body").hasSize(2);
            assertThat(new String(scanner.scanned.get(0), StandardCharsets.ISO_8859_1))
                .startsWith("From: sender@outside.example.net\r\n").endsWith("\r\n\r\nHello.\r\n");
        }

        @Test
        void aHeaderThatCameWithTheMailIsReplaced() throws Exception {
            FakeMail mail = mail(AntiVirus.HEADER + ": clean (ClamAV 9.9)\n" + AntiVirus.HEADER + ": clean\n"
                + TestMessages.plain("Hello.\n"));

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void aForgedCleanHeaderDoesNotSaveAVirus() throws Exception {
            FakeMail mail = mail(AntiVirus.HEADER + ": clean (ClamAV 1.4.6)\n"
                + TestMessages.withEicarAttachment("<forged@outside.example.net>"));

            antiVirus("action", "archive").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(header(quarantined().get(0)))
                .containsExactly("infected: " + FakeScanner.EICAR_SIGNATURE + " (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void base64AttachmentIsDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<m1@outside.example.net>"));

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined()).singleElement().satisfies(stored -> assertThat(stored.getErrorMessage())
                .isEqualTo("AntiVirus: virus " + FakeScanner.EICAR_SIGNATURE
                    + " in part 2 \"eicar.com\" (application/octet-stream) (" + FakeScanner.ENGINE + ")"));
            assertThat(scanner.scannedExactly(FakeScanner.EICAR.getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void quotedPrintablePartIsDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.quotedPrintableMarker());

            antiVirus("action", "archive").service(mail);

            assertThat(header(quarantined().get(0))).singleElement().asString()
                .startsWith("infected: " + FakeScanner.BINARY_SIGNATURE);
            assertThat(quarantined().get(0).getErrorMessage()).contains("part 2 \"marker.bin\"");
        }

        @Test
        void attachedMessageIsScannedDownToItsParts() throws Exception {
            FakeMail mail = mail(TestMessages.forwarding(TestMessages.withEicarAttachment("<inner@outside.example.net>")));

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage())
                .contains(FakeScanner.EICAR_SIGNATURE).contains("part 2.2 \"eicar.com\" (application/octet-stream)");
        }

        @Test
        void nestedMultipartsAreWalked() throws Exception {
            FakeMail mail = mail(TestMessages.nestedMultipart());

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage()).contains("part 2.1 \"deep.com\"");
        }

        @Test
        void uuencodedFilesInAPlainTextBodyAreDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.uuencoded("harmless".getBytes(StandardCharsets.US_ASCII),
                FakeScanner.EICAR.getBytes(StandardCharsets.US_ASCII)));

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage()).contains("part 1 (text/plain), uuencoded file 2");
            assertThat(scanner.scannedExactly("harmless".getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void uuencodedBinaryIsFoundOnlyOnceDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.uuencoded(FakeScanner.BINARY_MARKER));

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage()).contains(FakeScanner.BINARY_SIGNATURE)
                .contains("uuencoded file 1");
        }

        @Test
        void partWithAnUnknownEncodingIsScannedAsItStands() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "x-unheard-of", "odd.bin",
                "raw-bytes-of-an-odd-encoding"));

            antiVirus().service(mail);

            assertThat(scanner.scannedExactly("raw-bytes-of-an-odd-encoding".getBytes(StandardCharsets.US_ASCII)))
                .as("the undecoded part went to the scanner").isTrue();
            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void damagedBase64IsScannedDecodedAsFarAsPossibleThenAsItStands() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "base64", "broken.bin",
                "SGVsbG8gd29ybGQ=\nQ"));

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
            assertThat(scanner.scanned).anySatisfy(scan -> assertThat(new String(scan, StandardCharsets.US_ASCII))
                .startsWith("SGVsbG8gd29ybGQ="));
        }

        @Test
        void mislabelledPartIsCaughtInTheWholeMessage() throws Exception {
            // a part that says base64 but is not: its decoded bytes are garbage, the raw message still holds the virus
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "base64", "liar.com",
                FakeScanner.EICAR));

            antiVirus("action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage()).contains("in the whole message");
        }

        @Test
        void scanningStopsAtTheFirstVirus() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<m2@outside.example.net>"));

            antiVirus().service(mail);

            assertThat(scanner.scanned).as("whole message, text, attachment").hasSize(3);
        }

        @ParameterizedTest
        @MethodSource("org.switchboard.mailets.preprocessor.antivirus.AntiVirusTest#hostileMessages")
        void hostileAndUnusualMessagesAreScannedWithoutTrouble(Path file) throws Exception {
            byte[] raw = Files.readAllBytes(file);
            FakeMail mail = mail(TestMessages.parse(raw), SENDER);

            assertThatCode(() -> antiVirus().service(mail)).doesNotThrowAnyException();

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(scanner.scanned).isNotEmpty();
            assertThatCode(() -> bytes(mail.getMessage())).as("the message can still be written")
                .doesNotThrowAnyException();
        }

        @Test
        void messageBuiltInMemoryIsScannedToo() throws Exception {
            MimeMessage built = new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()));
            built.setFrom("sender@outside.example.net");
            built.setSubject("built by a mailet");
            built.setText(FakeScanner.EICAR);
            FakeMail mail = mail(built, null);

            antiVirus().service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        }
    }

    static Stream<Path> hostileMessages() throws IOException, java.net.URISyntaxException {
        Path folder = Path.of(AntiVirusTest.class.getResource("/mime/README.md").toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> !file.getFileName().toString().equals("README.md")).sorted().toList().stream();
        }
    }

    @Nested
    class Actions {
        @Test
        void deleteDropsTheMailAndTellsThePostmaster() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<deleted@outside.example.net>"));

            antiVirus("action", "delete").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).singleElement().satisfies(notice -> {
                assertThat(notice.getSender()).as("null reverse path").isNull();
                assertThat(notice.getRecipients()).containsExactly(new MailAddress(POSTMASTER));
                assertThat(notice.getMsg().getSubject())
                    .isEqualTo("Virus found, mail deleted: " + FakeScanner.EICAR_SIGNATURE);
                String text = text(notice.getMsg());
                assertThat(text).contains("deleted a mail", FakeScanner.EICAR_SIGNATURE, "<" + SENDER + ">",
                    "<" + RECIPIENT + ">", "<other@example.com>", "<deleted@outside.example.net>",
                    "part 2 \"eicar.com\"", FakeScanner.ENGINE, "invoice", "192.0.2.7");
                assertThat(text).as("never the virus").doesNotContain("EICAR-STANDARD")
                    .doesNotContain(TestMessages.EICAR_BASE64.substring(0, 40));
                assertThat(notice.getMsg().getHeader("Auto-Submitted")).containsExactly("auto-generated");
            });
        }

        @Test
        void noticeCanGoToAnotherAddressOrNowhere() throws Exception {
            antiVirus("notice", "security@example.com")
                .service(mail(TestMessages.withEicarAttachment("<n1@outside.example.net>")));
            assertThat(context.getSentMails()).singleElement().satisfies(notice -> assertThat(notice.getRecipients())
                .containsExactly(new MailAddress("security@example.com")));

            context.resetSentMails();
            FakeMail mail = mail(TestMessages.withEicarAttachment("<n2@outside.example.net>"));
            antiVirus("notice", "none").service(mail);
            assertThat(context.getSentMails()).isEmpty();
            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        }

        @Test
        void bounceSendsADeliveryStatusNotificationWithoutTheVirus() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<bounced@outside.example.net>"));

            antiVirus("action", "bounce").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).singleElement().satisfies(bounce -> {
                assertThat(bounce.getSender()).as("null reverse path").isNull();
                assertThat(bounce.getRecipients()).containsExactly(new MailAddress(SENDER));
                MimeMessage message = bounce.getMsg();
                assertThat(message.getContentType()).startsWith("multipart/report")
                    .contains("report-type=delivery-status");
                MimeMultipart report = (MimeMultipart) TestMessages.parse(bytes(message)).getContent();
                assertThat(report.getCount()).isEqualTo(3);
                assertThat(report.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
                assertThat(report.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
                String text = text(message);
                assertThat(text).contains(FakeScanner.EICAR_SIGNATURE, "Final-Recipient: rfc822; " + RECIPIENT,
                    "Final-Recipient: rfc822; other@example.com", "Status: 5.7.1", "Action: failed",
                    "Message-ID: <bounced@outside.example.net>", "Reporting-MTA: dns; example.com");
                assertThat(text).as("never the virus").doesNotContain("EICAR-STANDARD")
                    .doesNotContain(TestMessages.EICAR_BASE64.substring(0, 40));
            });
        }

        @Test
        void noBounceToANullSenderButANotice() throws Exception {
            FakeMail mail = mail(TestMessages.parse(TestMessages.withEicarAttachment("<dsn@outside.example.net>")),
                null);

            antiVirus("action", "bounce").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).singleElement().satisfies(notice -> {
                assertThat(notice.getRecipients()).containsExactly(new MailAddress(POSTMASTER));
                assertThat(text(notice.getMsg())).contains("null sender");
            });
        }

        @Test
        void archiveStoresTheMailInTheQuarantineAndTellsThePostmaster() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<archived@outside.example.net>"));

            antiVirus("action", "archive").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(quarantined()).singleElement().satisfies(stored -> {
                assertThat(stored.getRecipients()).hasSize(2);
                assertThat(stored.getErrorMessage()).startsWith("AntiVirus: virus " + FakeScanner.EICAR_SIGNATURE);
                assertThat(text(stored.getMessage())).as("kept whole for the administrator")
                    .contains(TestMessages.EICAR_BASE64.substring(0, 40));
            });
            assertThat(context.getSentMails()).singleElement().satisfies(notice -> {
                assertThat(notice.getMsg().getSubject())
                    .isEqualTo("Virus found, mail archived: " + FakeScanner.EICAR_SIGNATURE);
                assertThat(text(notice.getMsg())).contains("jpa://var/mail/quarantine",
                    "/mailRepositories/var%2Fmail%2Fquarantine/mails");
            });
        }

        @Test
        void archiveFailureHoldsTheMail() throws Exception {
            repositories.repositories.put(QUARANTINE, new MemoryFailingRepository());
            AntiVirus failing = antiVirus("action", "archive");
            FakeMail mail = mail(TestMessages.withEicarAttachment("<full@outside.example.net>"));

            assertThatThrownBy(() -> failing.service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("AntiVirus: cannot store mail mail1")
                .hasMessageContaining("held");
            assertThat(mail.getState()).isEqualTo("preprocess");
        }

        @Test
        void anInfectedNoticeOfOursIsDroppedWithoutANewNotice() throws Exception {
            String notice = VirusNotices.NOTICE_HEADER + ": yes\n"
                + TestMessages.plain("Subject quoted the virus: " + FakeScanner.EICAR + "\n");
            FakeMail mail = mail(TestMessages.parse(notice), null);

            antiVirus("action", "delete").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(context.getSentMails()).isEmpty();
        }
    }

    @Nested
    class Unavailable {
        @Test
        void scannerDownHoldsTheMailUnchanged() throws Exception {
            scanner.unavailable = new ScannerUnavailableException("clamd at 127.0.0.1:3310 failed: Connection refused");
            FakeMail mail = mail(AntiVirus.HEADER + ": clean\n" + TestMessages.plain("Hello.\n"));

            assertThatThrownBy(() -> antiVirus().service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: mail mail1 not scanned, held for a later attempt")
                .hasMessageContaining("Connection refused");

            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(mail.getRecipients()).hasSize(2);
            assertThat(header(mail)).as("untouched").containsExactly("clean");
            assertThat(context.getSentMails()).isEmpty();
        }

        @Test
        void infectedMailIsHeldToo() throws Exception {
            AntiVirus mailet = antiVirus("action", "archive");
            scanner.unavailable = new ScannerUnavailableException("no answer within 60000 ms");
            FakeMail mail = mail(TestMessages.withEicarAttachment("<held@outside.example.net>"));

            assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class);

            assertThat(quarantined()).isEmpty();
            assertThat(mail.getState()).isEqualTo("preprocess");
        }
    }

    @Nested
    class Unscannable {
        private static final String BIG = "A".repeat(3000);

        private FakeMail bigMail() throws MessagingException {
            return mail(TestMessages.attachment("application/octet-stream", "7bit", "big.bin", BIG));
        }

        @Test
        void tooLargeIsArchivedByDefault() throws Exception {
            FakeMail mail = bigMail();

            antiVirus("maxScanSize", "1K").service(mail);

            assertThat(mail.getState()).isEqualTo(Mail.GHOST);
            assertThat(quarantined()).singleElement().satisfies(stored -> {
                assertThat(stored.getErrorMessage()).startsWith("AntiVirus: not completely scanned:")
                    .contains("larger than maxScanSize (1024 bytes)");
                assertThat(header(stored)).singleElement().asString().startsWith("unscanned: ")
                    .endsWith("(" + FakeScanner.ENGINE + ")");
            });
            assertThat(context.getSentMails()).singleElement().satisfies(notice ->
                assertThat(notice.getMsg().getSubject()).isEqualTo("Mail not scanned, archived"));
            assertThat(scanner.scanned).as("the beginning of each stream is scanned")
                .allSatisfy(scan -> assertThat(scan.length).isLessThanOrEqualTo(1024));
        }

        @Test
        void tooLargeCanBeDeliveredWithAHeaderSayingSo() throws Exception {
            FakeMail mail = bigMail();

            antiVirus("maxScanSize", "1K", "unscannable", "deliver").service(mail);

            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(header(mail)).singleElement().asString()
                .startsWith("unscanned: the whole message is larger than maxScanSize (1024 bytes)");
        }

        @Test
        void tooLargeCanBeHeld() throws Exception {
            FakeMail mail = bigMail();

            assertThatThrownBy(() -> antiVirus("maxScanSize", "1K", "unscannable", "hold").service(mail))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("held")
                .hasMessageContaining("maxScanSize");
            assertThat(mail.getState()).isEqualTo("preprocess");
        }

        @Test
        void aPartOfExactlyMaxScanSizeIsScannedWhole() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "base64", "exact.bin",
                java.util.Base64.getMimeEncoder().encodeToString(new byte[1024])));

            antiVirus("maxScanSize", "1K", "unscannable", "deliver").service(mail);

            assertThat(header(mail)).singleElement().asString().doesNotContain("part 2");
            assertThat(scanner.scannedExactly(new byte[1024])).isTrue();
        }

        @Test
        void aVirusWinsOverSize() throws Exception {
            String message = TestMessages.withEicarAttachment("<both@outside.example.net>")
                .replace("--outer--", "--outer\nContent-Type: text/plain\n\n" + BIG + "\n--outer--");
            FakeMail mail = mail(message);

            antiVirus("maxScanSize", "2K", "action", "archive").service(mail);

            assertThat(quarantined().get(0).getErrorMessage()).contains("virus " + FakeScanner.EICAR_SIGNATURE);
        }

        @Test
        void tooManyParts() throws Exception {
            FakeMail mail = mail(TestMessages.manyParts(MessageScanner.MAX_PARTS + 1));

            antiVirus("unscannable", "deliver").service(mail);

            assertThat(header(mail)).singleElement().asString().startsWith("unscanned: more than 500 parts");
            assertThat(scanner.scanned).hasSize(MessageScanner.MAX_PARTS + 1);
        }

        @Test
        void tooDeeplyNested() throws Exception {
            FakeMail mail = mail(TestMessages.nestedDeep(MessageScanner.MAX_DEPTH + 5));

            antiVirus("unscannable", "deliver").service(mail);

            assertThat(header(mail)).singleElement().asString().startsWith("unscanned: parts nested deeper than 30");
        }

        @Test
        void nestingWithinTheLimitIsFine() throws Exception {
            FakeMail mail = mail(TestMessages.nestedDeep(MessageScanner.MAX_DEPTH));

            antiVirus("unscannable", "deliver").service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void streamRefusedByTheScanner() throws Exception {
            scanner.refusal = "clamd refused the stream: its StreamMaxLength is smaller than maxScanSize";
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));

            antiVirus("unscannable", "deliver").service(mail);

            assertThat(header(mail)).singleElement().asString()
                .startsWith("unscanned: the whole message: clamd refused the stream");
        }
    }

    /** A quarantine that cannot store (disk full, database down). */
    private static final class MemoryFailingRepository extends org.apache.james.mailrepository.memory.MemoryMailRepository {
        @Override
        public MailKey store(Mail mail) {
            throw new IllegalStateException("disk full");
        }
    }
}
