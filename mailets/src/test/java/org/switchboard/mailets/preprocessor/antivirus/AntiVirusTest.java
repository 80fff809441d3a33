package org.switchboard.mailets.preprocessor.antivirus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
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
    private static final String SENDER = "sender@outside.example.net";
    private static final String RECIPIENT = "user@example.com";

    private FakeScanner scanner;
    private FakeMailContext context;
    private Map<String, Object> created;

    @BeforeEach
    void setUp() {
        scanner = new FakeScanner();
        context = FakeMailContext.defaultContext();
        created = new HashMap<>();
    }

    private AntiVirus antiVirus(String... parameters) throws MessagingException {
        AntiVirus mailet = new AntiVirus((host, port, timeout) -> {
            created.put("host", host);
            created.put("port", port);
            created.put("timeout", timeout);
            return scanner;
        });
        mailet.init(config(parameters));
        return mailet;
    }

    private FakeMailetConfig config(String... parameters) {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("AntiVirus")
            .mailetContext(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        return config.build();
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

    /** The mark the pipeline's HasMailAttributeWithValue reads. */
    private static String status(Mail mail) {
        return mail.getAttribute(AttributeName.of(AntiVirus.STATUS)).map(attribute -> attribute.getValue().getValue())
            .map(Object::toString).orElse(null);
    }

    private static byte[] bytes(MimeMessage message) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** The mailet never acts itself: the mail goes on whole, in its state, nothing is sent. */
    private void assertUntouchedButMarked(FakeMail mail) {
        assertThat(mail.getState()).isEqualTo("preprocess");
        assertThat(mail.getRecipients()).hasSize(2);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Nested
    class Configuration {
        @Test
        void defaults() throws Exception {
            antiVirus();

            assertThat(created).containsEntry("host", "127.0.0.1").containsEntry("port", 3310)
                .containsEntry("timeout", Duration.ofSeconds(60));
        }

        @Test
        void explicitValues() throws Exception {
            antiVirus("host", "clamd.example.com", "port", "3311", "timeout", "500ms", "maxScanSize", "1k");

            assertThat(created).containsEntry("host", "clamd.example.com").containsEntry("port", 3311)
                .containsEntry("timeout", Duration.ofMillis(500));
        }

        @Test
        void maxScanSizeCutsEachStream() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "7bit", "big.bin",
                "A".repeat(3000)));

            antiVirus("maxScanSize", "2k").service(mail);

            assertThat(scanner.scanned).isNotEmpty()
                .allSatisfy(scan -> assertThat(scan.length).isLessThanOrEqualTo(2048));
            assertThat(status(mail)).isEqualTo("unscannable");
        }

        @Test
        void defaultMaxScanSizeIs25M() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "7bit", "big.bin",
                "A".repeat(3000)));

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("clean");
            assertThat(scanner.scannedExactly("A".repeat(3000).getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void timeoutWithoutUnitIsSeconds() throws Exception {
            antiVirus("timeout", "30");

            assertThat(created).containsEntry("timeout", Duration.ofSeconds(30));
        }

        @Test
        void destroyClosesTheScanner() throws Exception {
            antiVirus().destroy();

            assertThat(scanner.closed).isTrue();
        }

        @Test
        void jamesErrorParametersAreAccepted() throws Exception {
            antiVirus("onMailetException", "error", "onMatchException", "nomatch");

            assertThat(created).containsKey("host");
        }

        @ParameterizedTest(name = "{0}={1}")
        @MethodSource("org.switchboard.mailets.preprocessor.antivirus.AntiVirusTest#badParameters")
        void badParameterFailsStartUpNamingMailetAndParameter(String parameter, String value) {
            assertThatThrownBy(() -> antiVirus(parameter, value))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: ")
                .hasMessageContaining(parameter);
            assertThat(created).as("no scanner made").isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.switchboard.mailets.preprocessor.antivirus.AntiVirusTest#removedParameters")
        void unknownAndRemovedParametersAreRefused(String parameter) {
            assertThatThrownBy(() -> antiVirus(parameter, "x"))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("AntiVirus: ")
                .hasMessageContaining(parameter)
                .hasMessageContaining("handled by the pipeline");
        }

        @Test
        void guiceBuildsItAsJamesDoesWithTheRealScanner() throws Exception {
            AntiVirus instance = Guice.createInjector().getInstance(AntiVirus.class);
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                closedPort = socket.getLocalPort();
            }
            instance.init(config("port", Integer.toString(closedPort), "timeout", "2s"));
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));

            instance.service(mail);
            instance.destroy();

            assertThat(status(mail)).as("clamd (not the fake) was asked, and nothing listens there")
                .isEqualTo("unavailable");
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
            new String[] {"maxScanSize", "0"},
            new String[] {"maxScanSize", "25MB"},
            new String[] {"maxScanSize", "5T"},
            new String[] {"maxScanSize", "-1"},
            new String[] {"maxScanSize", "5G"},
            new String[] {"maxScanSize", "9999999999999"}
        ).map(pair -> org.junit.jupiter.params.provider.Arguments.of((Object[]) pair));
    }

    static Stream<String> removedParameters() {
        return Stream.of("hots", "action", "unscannable", "quarantineRepository", "notice");
    }

    @Nested
    class Scanning {
        @Test
        void cleanMailGoesOnWithTheResultHeader() throws Exception {
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
            assertThat(status(mail)).isEqualTo("clean");
            assertThat(mail.getErrorMessage()).isNull();
            assertUntouchedButMarked(mail);
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

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("infected");
            assertThat(header(mail))
                .containsExactly("infected: " + FakeScanner.EICAR_SIGNATURE + " (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void base64AttachmentIsDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<m1@outside.example.net>"));

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage()).isEqualTo("AntiVirus: virus " + FakeScanner.EICAR_SIGNATURE
                + " in part 2 \"eicar.com\" (application/octet-stream) (" + FakeScanner.ENGINE + ")");
            assertThat(scanner.scannedExactly(FakeScanner.EICAR.getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void quotedPrintablePartIsDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.quotedPrintableMarker());

            antiVirus().service(mail);

            assertThat(header(mail)).singleElement().asString()
                .startsWith("infected: " + FakeScanner.BINARY_SIGNATURE);
            assertThat(mail.getErrorMessage()).contains("part 2 \"marker.bin\"");
        }

        @Test
        void attachedMessageIsScannedDownToItsParts() throws Exception {
            FakeMail mail = mail(TestMessages.forwarding(TestMessages.withEicarAttachment("<inner@outside.example.net>")));

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage())
                .contains(FakeScanner.EICAR_SIGNATURE).contains("part 2.2 \"eicar.com\" (application/octet-stream)");
        }

        @Test
        void nestedMultipartsAreWalked() throws Exception {
            FakeMail mail = mail(TestMessages.nestedMultipart());

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage()).contains("part 2.1 \"deep.com\"");
        }

        @Test
        void uuencodedFilesInAPlainTextBodyAreDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.uuencoded("harmless".getBytes(StandardCharsets.US_ASCII),
                FakeScanner.EICAR.getBytes(StandardCharsets.US_ASCII)));

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage()).contains("part 1 (text/plain), uuencoded file 2");
            assertThat(scanner.scannedExactly("harmless".getBytes(StandardCharsets.US_ASCII))).isTrue();
        }

        @Test
        void uuencodedBinaryIsFoundOnlyOnceDecoded() throws Exception {
            FakeMail mail = mail(TestMessages.uuencoded(FakeScanner.BINARY_MARKER));

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage()).contains(FakeScanner.BINARY_SIGNATURE)
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

            antiVirus().service(mail);

            assertThat(mail.getErrorMessage()).contains("in the whole message");
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

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
            assertThat(status(mail)).isEqualTo("clean");
            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(scanner.scanned).isNotEmpty();
            assertThat(bytes(mail.getMessage())).as("the message can still be written, with the header")
                .containsSubsequence((AntiVirus.HEADER + ": clean").getBytes(StandardCharsets.US_ASCII));
        }

        @Test
        void messageBuiltInMemoryIsScannedToo() throws Exception {
            MimeMessage built = new MimeMessage(javax.mail.Session.getInstance(new java.util.Properties()));
            built.setFrom("sender@outside.example.net");
            built.setSubject("built by a mailet");
            built.setText(FakeScanner.EICAR);
            FakeMail mail = mail(built, null);

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("infected");
            assertThat(mail.getState()).isEqualTo("preprocess");
        }
    }

    static Stream<Path> hostileMessages() throws IOException, java.net.URISyntaxException {
        Path folder = Path.of(AntiVirusTest.class.getResource("/mime/README.md").toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> !file.getFileName().toString().equals("README.md")).sorted().toList().stream();
        }
    }

    @Nested
    class Marks {
        @Test
        void infectedMailIsMarkedNotActedOn() throws Exception {
            FakeMail mail = mail(TestMessages.withEicarAttachment("<infected@outside.example.net>"));

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("infected");
            assertThat(header(mail))
                .containsExactly("infected: " + FakeScanner.EICAR_SIGNATURE + " (" + FakeScanner.ENGINE + ")");
            assertThat(mail.getErrorMessage()).startsWith("AntiVirus: virus " + FakeScanner.EICAR_SIGNATURE);
            assertUntouchedButMarked(mail);
            assertThat(new String(bytes(mail.getMessage()), StandardCharsets.US_ASCII))
                .as("the message itself is left for the pipeline (quarantine keeps it whole)")
                .contains(TestMessages.EICAR_BASE64.substring(0, 40));
        }

        @Test
        void aMarkFromAnEarlierPassIsReplaced() throws Exception {
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));
            mail.setAttribute(new org.apache.mailet.Attribute(AttributeName.of(AntiVirus.STATUS),
                AttributeValue.of("unavailable")));

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("clean");
        }

        @Test
        void scannerDownMarksTheMailUnavailable() throws Exception {
            scanner.unavailable = new ScannerUnavailableException("clamd at 127.0.0.1:3310 failed: Connection refused");
            FakeMail mail = mail(AntiVirus.HEADER + ": clean\n"
                + TestMessages.withEicarAttachment("<held@outside.example.net>"));

            AntiVirus mailet = antiVirus();
            try (LogLines log = LogLines.of(AntiVirus.class)) {
                mailet.service(mail);

                assertThat(log.lines()).as("one line for the operator, no stack trace").singleElement()
                    .satisfies(line -> {
                        assertThat(line.level()).isEqualTo(org.apache.logging.log4j.Level.WARN);
                        assertThat(line.withThrowable()).isFalse();
                        assertThat(line.message()).contains("mail mail1", "127.0.0.1:3310", "Connection refused",
                            "holds it for a later attempt");
                    });
            }
            assertThat(status(mail)).isEqualTo("unavailable");
            assertThat(header(mail)).as("a forged clean never survives").containsExactly("unscanned: scanner unavailable");
            assertUntouchedButMarked(mail);
        }

        @Test
        void theScannerIsAskedAgainAfterAnOutage() throws Exception {
            AntiVirus mailet = antiVirus();
            scanner.unavailable = new ScannerUnavailableException("no answer within 60000 ms");
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));
            mailet.service(mail);
            assertThat(status(mail)).isEqualTo("unavailable");

            scanner.unavailable = null;
            mailet.service(mail);

            assertThat(status(mail)).isEqualTo("clean");
            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
        }
    }

    @Nested
    class Unscannable {
        private static final String BIG = "A".repeat(3000);

        private FakeMail bigMail() throws MessagingException {
            return mail(TestMessages.attachment("application/octet-stream", "7bit", "big.bin", BIG));
        }

        @Test
        void tooLargeIsMarkedUnscannableWithTheReason() throws Exception {
            FakeMail mail = bigMail();

            antiVirus("maxScanSize", "1K").service(mail);

            assertThat(status(mail)).isEqualTo("unscannable");
            assertThat(mail.getErrorMessage()).startsWith("AntiVirus: not completely scanned:")
                .contains("larger than maxScanSize (1024 bytes)");
            assertThat(header(mail)).singleElement().asString()
                .startsWith("unscanned: the whole message is larger than maxScanSize (1024 bytes)")
                .endsWith("(" + FakeScanner.ENGINE + ")");
            assertUntouchedButMarked(mail);
            assertThat(scanner.scanned).as("the beginning of each stream is scanned")
                .allSatisfy(scan -> assertThat(scan.length).isLessThanOrEqualTo(1024));
        }

        @Test
        void aPartOfExactlyMaxScanSizeIsScannedWhole() throws Exception {
            FakeMail mail = mail(TestMessages.attachment("application/octet-stream", "base64", "exact.bin",
                java.util.Base64.getMimeEncoder().encodeToString(new byte[1024])));

            antiVirus("maxScanSize", "1K").service(mail);

            assertThat(header(mail)).singleElement().asString().doesNotContain("part 2");
            assertThat(scanner.scannedExactly(new byte[1024])).isTrue();
        }

        @Test
        void aVirusWinsOverSize() throws Exception {
            String message = TestMessages.withEicarAttachment("<both@outside.example.net>")
                .replace("--outer--", "--outer\nContent-Type: text/plain\n\n" + BIG + "\n--outer--");
            FakeMail mail = mail(message);

            antiVirus("maxScanSize", "2K").service(mail);

            assertThat(status(mail)).isEqualTo("infected");
            assertThat(mail.getErrorMessage()).contains("virus " + FakeScanner.EICAR_SIGNATURE);
        }

        @Test
        void tooManyParts() throws Exception {
            FakeMail mail = mail(TestMessages.manyParts(MessageScanner.MAX_PARTS + 1));

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("unscannable");
            assertThat(header(mail)).singleElement().asString().startsWith("unscanned: more than 500 parts");
            assertThat(scanner.scanned).hasSize(MessageScanner.MAX_PARTS + 1);
        }

        @Test
        void tooDeeplyNested() throws Exception {
            FakeMail mail = mail(TestMessages.nestedDeep(MessageScanner.MAX_DEPTH + 5));

            antiVirus().service(mail);

            assertThat(header(mail)).singleElement().asString().startsWith("unscanned: parts nested deeper than 30");
        }

        @Test
        void nestingWithinTheLimitIsFine() throws Exception {
            FakeMail mail = mail(TestMessages.nestedDeep(MessageScanner.MAX_DEPTH));

            antiVirus().service(mail);

            assertThat(header(mail)).containsExactly("clean (" + FakeScanner.ENGINE + ")");
        }

        @Test
        void streamRefusedByTheScanner() throws Exception {
            scanner.refusal = "clamd refused the stream: its StreamMaxLength is smaller than maxScanSize";
            FakeMail mail = mail(TestMessages.plain("Hello.\n"));

            antiVirus().service(mail);

            assertThat(status(mail)).isEqualTo("unscannable");
            assertThat(header(mail)).singleElement().asString()
                .startsWith("unscanned: the whole message: clamd refused the stream");
        }
    }
}
