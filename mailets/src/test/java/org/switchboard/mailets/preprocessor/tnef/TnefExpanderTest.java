package org.switchboard.mailets.preprocessor.tnef;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.attachments;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.bytes;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.content;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.expectedFiles;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.files;
import static org.switchboard.mailets.preprocessor.tnef.TnefMessages.resource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

class TnefExpanderTest {
    private static final AttributeName ROUTE = AttributeName.of("org.switchboard.route");

    private FakeMailContext context;

    @BeforeEach
    void setUp() {
        context = FakeMailContext.defaultContext();
    }

    private TnefExpander expander(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TnefExpander").mailetContext(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        TnefExpander expander = new TnefExpander();
        expander.init(config.build());
        return expander;
    }

    private static FakeMail mail(MimeMessage message) throws MessagingException {
        return FakeMail.builder()
            .name("mail1")
            .sender("peter@outside.example.net")
            .recipients("user@example.com", "other@example.com")
            .mimeMessage(message)
            .state("preprocess")
            .attribute(new Attribute(InputChannel.NAME, AttributeValue.of("SMTPD")))
            .attribute(new Attribute(ROUTE, AttributeValue.of(Map.of(
                "user@example.com", AttributeValue.of("LOCAL$user@example.com"),
                "other@example.com", AttributeValue.of("LOCAL$other@example.com")))))
            .build();
    }

    static List<String> streamsWithFiles() {
        return TnefMessages.streamsWithFiles();
    }

    @Nested
    class Configuration {
        @Test
        void defaults() throws Exception {
            TnefExpander expander = expander();
            assertThat(expander.mode()).isEqualTo(TnefExpander.Mode.SEPARATE);
            assertThat(expander.body()).isEqualTo(TnefExpander.Body.AUTO);
            assertThat(expander.maxExtractedSize()).isEqualTo(25L << 20);
            assertThat(expander.requiredProcessingState()).isEmpty();
        }

        @Test
        void everyParameter() throws Exception {
            TnefExpander expander = expander("mode", "Replace", "body", "ALWAYS", "maxExtractedSize", "512k",
                "processor", " transport ", "onMailetException", "ignore");
            assertThat(expander.mode()).isEqualTo(TnefExpander.Mode.REPLACE);
            assertThat(expander.body()).isEqualTo(TnefExpander.Body.ALWAYS);
            assertThat(expander.maxExtractedSize()).isEqualTo(512L * 1024);
            assertThat(expander.requiredProcessingState()).containsExactly(new ProcessingState("transport"));
        }

        @Test
        void sizes() throws Exception {
            assertThat(expander("maxExtractedSize", "1000").maxExtractedSize()).isEqualTo(1000);
            assertThat(expander("maxExtractedSize", "3M").maxExtractedSize()).isEqualTo(3L << 20);
            assertThat(expander("maxExtractedSize", "1g").maxExtractedSize()).isEqualTo(1L << 30);
        }

        @Test
        void unknownParameter() {
            assertThatThrownBy(() -> expander("mdoe", "replace"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TnefExpander").hasMessageContaining("mdoe");
        }

        @ParameterizedTest
        @ValueSource(strings = {"inline", "separate,replace"})
        void badMode(String value) {
            assertThatThrownBy(() -> expander("mode", value))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TnefExpander").hasMessageContaining("mode").hasMessageContaining("separate");
        }

        @ParameterizedTest
        @ValueSource(strings = {"html", "yes"})
        void badBody(String value) {
            assertThatThrownBy(() -> expander("body", value))
                .isInstanceOf(MessagingException.class)
                .hasMessage("TnefExpander: init parameter body '" + value + "': expected one of auto, always, never "
                    + "(default auto)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"mode", "body"})
        void emptyChoice(String parameter) {
            assertThatThrownBy(() -> expander(parameter, " "))
                .hasMessage("TnefExpander: init parameter " + parameter + " is empty");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "0", "-1", "12x", "ten", "1.5m", "10 mb", "10mb", "99999999999999999m"})
        void badSize(String value) {
            assertThatThrownBy(() -> expander("maxExtractedSize", value))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TnefExpander").hasMessageContaining("maxExtractedSize");
        }

        @Test
        void emptyProcessor() {
            assertThatThrownBy(() -> expander("processor", "  "))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TnefExpander").hasMessageContaining("processor");
        }
    }

    @Nested
    class Separate {
        @Test
        void theOriginalGoesOnUnchangedAndASecondMessageCarriesTheFiles() throws Exception {
            MimeMessage original = TnefMessages.withWinmailDat(resource("two-files.tnef"));
            byte[] before = bytes(original);
            FakeMail mail = mail(original);

            expander().service(mail);

            assertThat(bytes(mail.getMessage())).isEqualTo(before);
            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(mail.getAttribute(TnefExpander.EXPANDED)).isPresent();
            assertThat(context.getSentMails()).hasSize(1);
            FakeMailContext.SentMail sent = context.getSentMails().get(0);
            assertThat(sent.getState()).as("back to the start of the processor the original is in").isEqualTo("preprocess");
            assertThat(sent.getSender()).isEqualTo(new MailAddress("peter@outside.example.net"));
            assertThat(sent.getRecipients()).containsExactly(new MailAddress("user@example.com"),
                new MailAddress("other@example.com"));
            assertThat(sent.getAttributes()).containsKeys(TnefExpander.EXPANDED, ROUTE);
            assertThat(sent.getAttributes().get(InputChannel.NAME).getValue().value()).isEqualTo("SMTPD");

            MimeMessage second = sent.getMsg();
            assertThat(second.getSubject()).isEqualTo("Attachments of: Quarterly figures");
            assertThat(second.getHeader("From", null)).isEqualTo("\"Peter Chan\" <peter@outside.example.net>");
            assertThat(second.getHeader("To", null)).isEqualTo("user@example.com");
            assertThat(second.getHeader("Cc", null)).isEqualTo("other@example.com");
            assertThat(second.getHeader("Date", null)).isEqualTo("Mon, 25 Apr 2005 10:15:35 +0200");
            assertThat(second.getHeader("In-Reply-To", null)).isEqualTo("<original.1@outside.example.net>");
            assertThat(second.getHeader("References", null))
                .isEqualTo("<earlier@outside.example.net> <original.1@outside.example.net>");
            assertThat(second.getHeader("Auto-Submitted", null)).isEqualTo("auto-generated");
            assertThat(second.getMessageID()).startsWith("<tnef.").endsWith("@outside.example.net>")
                .isNotEqualTo("<original.1@outside.example.net>");
            MimeMessage reparsed = TnefMessages.reparse(second);
            assertThat(files(reparsed)).containsExactlyEntriesOf(expectedFiles("two-files.tnef"));
            Multipart mixed = (Multipart) reparsed.getContent();
            assertThat(mixed.getBodyPart(0).getContent().toString())
                .contains("winmail.dat").contains("Subject: Quarterly figures").contains("From: Peter Chan <peter@outside.example.net>")
                .contains("AUTHORS (244 bytes)").contains("README (893 bytes)");
        }

        @ParameterizedTest
        @MethodSource("org.switchboard.mailets.preprocessor.tnef.TnefExpanderTest#streamsWithFiles")
        void everyStreamWithFilesGivesTheFilesDebianTnefExtracts(String tnefFile) throws Exception {
            FakeMail mail = mail(TnefMessages.withWinmailDat(resource(tnefFile)));

            expander().service(mail);

            assertThat(context.getSentMails()).hasSize(1);
            MimeMessage second = TnefMessages.reparse(context.getSentMails().get(0).getMsg());
            assertThat(files(second)).containsExactlyEntriesOf(expectedFiles(tnefFile));
        }

        @Test
        void winmailDatLabelledOctetStreamIsExpanded() throws Exception {
            FakeMail mail = mail(TnefMessages.message(TnefMessages.text("see attachment\n"),
                TnefMessages.tnefPart(resource("one-file.tnef"), "application/octet-stream", "WINMAIL.DAT")));

            expander().service(mail);

            assertThat(context.getSentMails()).hasSize(1);
            assertThat(files(TnefMessages.reparse(context.getSentMails().get(0).getMsg())))
                .containsExactlyEntriesOf(expectedFiles("one-file.tnef"));
        }

        @Test
        void anOctetStreamOfAnotherNameIsNotTnef() throws Exception {
            FakeMail mail = mail(TnefMessages.message(TnefMessages.text("see attachment\n"),
                TnefMessages.tnefPart(resource("one-file.tnef"), "application/octet-stream", "data.bin")));

            expander().service(mail);

            assertThat(context.getSentMails()).isEmpty();
            assertThat(mail.getAttribute(TnefExpander.EXPANDED)).isEmpty();
        }

        @Test
        void aLatin1FileNameIsWrittenWithRfc2231AndRfc2047() throws Exception {
            FakeMail mail = mail(TnefMessages.withWinmailDat(resource("ktnef-umlaut-filename.tnef")));

            expander().service(mail);

            MimeMessage second = context.getSentMails().get(0).getMsg();
            String raw = TnefMessages.text(second);
            assertThat(raw).contains("filename*=utf-8''d%C3%B6cument.pdf")
                .contains("name=\"=?utf-8?Q?d=C3=B6cument.pdf?=\"")
                .contains("Content-Type: application/pdf;");
            BodyPart pdf = attachments(TnefMessages.reparse(second)).get(0);
            assertThat(pdf.getFileName()).isEqualTo("d\u00f6cument.pdf");
        }

        @Test
        void aLongNonAsciiNameIsSplitIntoRfc2231Continuations() throws Exception {
            String name = "Quartalsbericht f\u00fcr die Gesch\u00e4ftsf\u00fchrung und den Aufsichtsrat "
                + "\u2013 vertraulich, nicht weitergeben \u2013 Fassung vom 25. April.pdf";
            MimeBodyPart part = MimeFiles.attachment(new ExtractedFile(name, "application/pdf", new byte[] {1, 2, 3}));
            MimeMessage message = TnefMessages.message(part);
            String raw = TnefMessages.text(message);
            assertThat(raw).contains("filename*0*=utf-8''").contains("filename*1*=");
            assertThat(raw.lines().filter(line -> line.contains("filename")))
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
            assertThat(attachments(message).get(0).getFileName()).isEqualTo(name);
        }

        @Test
        void theProcessorParameterChoosesWhereTheSecondMessageGoes() throws Exception {
            FakeMail mail = mail(TnefMessages.withWinmailDat(resource("one-file.tnef")));

            expander("processor", "transport").service(mail);

            assertThat(context.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("transport");
        }

        @Test
        void withoutAnInputChannelTheSecondMessageIsInternal() throws Exception {
            FakeMail mail = FakeMail.builder().name("m").sender("a@example.com").recipients("b@example.com")
                .mimeMessage(TnefMessages.withWinmailDat(resource("one-file.tnef"))).state("preprocess").build();

            expander().service(mail);

            assertThat(context.getSentMails().get(0).getAttributes().get(InputChannel.NAME).getValue().value())
                .isEqualTo(Channel.INTERNAL.name());
        }

        @Test
        void aMarkedMailIsNotExpandedAgain() throws Exception {
            FakeMail mail = mail(TnefMessages.withWinmailDat(resource("two-files.tnef")));
            mail.setAttribute(new Attribute(TnefExpander.EXPANDED, AttributeValue.of(true)));

            expander().service(mail);

            assertThat(context.getSentMails()).isEmpty();
        }

        @Test
        void theSecondMessageIsNotExpandedAgain() throws Exception {
            expander().service(mail(TnefMessages.withWinmailDat(resource("two-files.tnef"))));
            FakeMailContext.SentMail sent = context.getSentMails().get(0);
            FakeMail again = FakeMail.builder().name("again").sender("peter@outside.example.net")
                .recipients(sent.getRecipients().toArray(MailAddress[]::new)).mimeMessage(sent.getMsg())
                .attributes(sent.getAttributes().values()).state("preprocess").build();

            expander().service(again);

            assertThat(context.getSentMails()).hasSize(1);
        }

        @Test
        void twoTnefPartsGiveOneMessageWithAllFiles() throws Exception {
            FakeMail mail = mail(TnefMessages.message(TnefMessages.text("two\n"),
                TnefMessages.tnefPart(resource("one-file.tnef"), "application/ms-tnef", "winmail.dat"),
                TnefMessages.tnefPart(resource("long-filename.tnef"), "application/vnd.ms-tnef", "winmail.dat")));

            expander().service(mail);

            assertThat(context.getSentMails()).hasSize(1);
            assertThat(files(TnefMessages.reparse(context.getSentMails().get(0).getMsg())).keySet())
                .containsExactly("AUTHORS", "allproductsmar2000.dat");
        }

        @Test
        void anInvalidPartIsSkippedAndTheNextOneExpanded() throws Exception {
            FakeMail mail = mail(TnefMessages.message(TnefMessages.text("two\n"),
                TnefMessages.tnefPart(resource("teamwork-badchecksum.tnef"), "application/ms-tnef", "winmail.dat"),
                TnefMessages.tnefPart(resource("one-file.tnef"), "application/ms-tnef", "winmail.dat")));

            expander().service(mail);

            assertThat(files(TnefMessages.reparse(context.getSentMails().get(0).getMsg())).keySet())
                .containsExactly("AUTHORS");
        }

        @Test
        void theTnefBodyIsExtractedWhenTheMessageHasNoTextOfItsOwn() throws Exception {
            FakeMail mail = mail(TnefMessages.tnefOnly(resource("body.tnef")));
            byte[] before = bytes(mail.getMessage());

            expander().service(mail);

            assertThat(bytes(mail.getMessage())).isEqualTo(before);
            MimeMessage second = TnefMessages.reparse(context.getSentMails().get(0).getMsg());
            assertThat(second.getSubject()).isEqualTo("Attachments of: Bill of Rights");
            List<BodyPart> parts = attachments(second);
            assertThat(parts).hasSize(1);
            assertThat(parts.get(0).getFileName()).isEqualTo("message.html");
            assertThat(parts.get(0).isMimeType("text/html")).isTrue();
            assertThat(content(parts.get(0))).hasSize(5358);
        }

        @Test
        void theTnefBodyIsLeftWhenTheMessageHasItsOwnText() throws Exception {
            FakeMail mail = mail(TnefMessages.withWinmailDat(resource("body.tnef")));

            expander().service(mail);

            assertThat(context.getSentMails()).isEmpty();
            assertThat(mail.getAttribute(TnefExpander.EXPANDED)).isEmpty();
        }

        @Test
        void bodyAlwaysAndNever() throws Exception {
            expander("body", "always").service(mail(TnefMessages.withWinmailDat(resource("body.tnef"))));
            assertThat(context.getSentMails()).hasSize(1);

            expander("body", "never").service(mail(TnefMessages.tnefOnly(resource("body.tnef"))));
            assertThat(context.getSentMails()).hasSize(1);
        }
    }

    @Nested
    class LeftUntouched {
        private void assertUntouched(MimeMessage message, String... parameters) throws Exception {
            FakeMail mail = mail(message);
            byte[] before = bytes(message);

            expander(parameters).service(mail);

            assertThat(bytes(mail.getMessage())).isEqualTo(before);
            assertThat(mail.getState()).isEqualTo("preprocess");
            assertThat(mail.getAttribute(TnefExpander.EXPANDED)).isEmpty();
            assertThat(context.getSentMails()).isEmpty();
        }

        @Test
        void aWrongSignature() throws Exception {
            assertUntouched(TnefMessages.withWinmailDat(resource("teamwork-badchecksum.tnef")));
        }

        @Test
        void aTruncatedStream() throws Exception {
            byte[] stream = resource("poi-quick-winmail.dat");
            assertUntouched(TnefMessages.withWinmailDat(Arrays.copyOf(stream, stream.length / 2)));
        }

        @Test
        void randomBytes() throws Exception {
            byte[] noise = new byte[3000];
            new Random(7).nextBytes(noise);
            assertUntouched(TnefMessages.withWinmailDat(noise));
            noise[0] = 0x78;
            noise[1] = (byte) 0x9F;
            noise[2] = 0x3E;
            noise[3] = 0x22;
            assertUntouched(TnefMessages.withWinmailDat(noise));
        }

        @Test
        void anEmptyPart() throws Exception {
            assertUntouched(TnefMessages.withWinmailDat(new byte[0]));
        }

        @Test
        void aStreamWithoutFiles() throws Exception {
            assertUntouched(TnefMessages.withWinmailDat(resource("garbage-at-end.tnef")));
        }

        @Test
        void filesOverTheSizeLimit() throws Exception {
            assertUntouched(TnefMessages.withWinmailDat(resource("poi-quick-winmail.dat")), "maxExtractedSize", "30k");
        }

        @Test
        void aMessageWithoutTnef() throws Exception {
            assertUntouched(TnefMessages.message(TnefMessages.text("plain\n")));
        }

        @Test
        void brokenMime() throws Exception {
            String raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"nope\r\n\r\n--other\r\nContent-Type: application/ms-tnef\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n";
            assertUntouched(TnefMessages.parse(raw.getBytes(StandardCharsets.ISO_8859_1)));
            String badBase64 = "From: a@example.com\r\nTo: b@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: application/ms-tnef\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+Ig@@@@%%%%====AAAA\r\n";
            assertUntouched(TnefMessages.parse(badBase64.getBytes(StandardCharsets.ISO_8859_1)));
            String unknownEncoding = "From: a@example.com\r\nTo: b@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: application/ms-tnef\r\nContent-Transfer-Encoding: x-martian\r\n\r\nzzzz\r\n";
            assertUntouched(TnefMessages.parse(unknownEncoding.getBytes(StandardCharsets.ISO_8859_1)));
        }

        @Test
        void deeplyNestedMultipartsAreNotFollowedForever() throws Exception {
            MimeMultipart inner = new MimeMultipart("mixed");
            inner.addBodyPart(TnefMessages.tnefPart(resource("one-file.tnef"), "application/ms-tnef", "winmail.dat"));
            for (int i = 0; i < 40; i++) {
                MimeBodyPart wrapper = new MimeBodyPart();
                wrapper.setContent(inner);
                inner = new MimeMultipart("mixed");
                inner.addBodyPart(wrapper);
            }
            assertUntouched(TnefMessages.messageWith(inner));
        }
    }

    @Nested
    class Replace {
        @Test
        void theTnefPartIsReplacedInPlaceByItsFiles() throws Exception {
            MimeMessage original = TnefMessages.message(TnefMessages.text("first\n"),
                TnefMessages.tnefPart(resource("two-files.tnef"), "application/ms-tnef", "winmail.dat"),
                TnefMessages.text("last\n"));
            FakeMail mail = mail(original);

            expander("mode", "replace").service(mail);

            assertThat(context.getSentMails()).isEmpty();
            assertThat(mail.getAttribute(TnefExpander.EXPANDED)).isPresent();
            MimeMessage replaced = TnefMessages.reparse(mail.getMessage());
            assertThat(replaced.getMessageID()).isEqualTo("<original.1@outside.example.net>");
            assertThat(replaced.getSubject()).isEqualTo("Quarterly figures");
            Multipart mixed = (Multipart) replaced.getContent();
            assertThat(mixed.getCount()).isEqualTo(4);
            assertThat(mixed.getBodyPart(0).getContent()).isEqualTo("first\n");
            assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("AUTHORS");
            assertThat(mixed.getBodyPart(2).getFileName()).isEqualTo("README");
            assertThat(mixed.getBodyPart(3).getContent()).isEqualTo("last\n");
            assertThat(files(replaced)).containsExactlyEntriesOf(expectedFiles("two-files.tnef"));
            assertThat(TnefMessages.text(replaced)).doesNotContain("winmail.dat").doesNotContain("ms-tnef");
        }

        @Test
        void aWholeTnefMessageBecomesAMultipartOfItsFiles() throws Exception {
            FakeMail mail = mail(TnefMessages.tnefOnly(resource("poi-quick-winmail.dat")));

            expander("mode", "replace").service(mail);

            MimeMessage replaced = TnefMessages.reparse(mail.getMessage());
            assertThat(replaced.isMimeType("multipart/mixed")).isTrue();
            assertThat(replaced.getHeader("Content-Transfer-Encoding")).isNull();
            assertThat(replaced.getMessageID()).isEqualTo("<tnef-only@outside.example.net>");
            Map<String, String> files = files(replaced);
            // no text of its own: the TNEF body (here RTF only) comes out too, after the files
            assertThat(files.keySet()).containsExactly("quick.doc", "quick.html", "quick.pdf", "quick.txt", "quick.xml",
                "message.rtf");
            files.remove("message.rtf");
            assertThat(files).containsExactlyEntriesOf(expectedFiles("poi-quick-winmail.dat"));
        }

        @Test
        void theSharedOriginalIsNotChanged() throws Exception {
            MimeMessage original = TnefMessages.withWinmailDat(resource("one-file.tnef"));
            byte[] before = bytes(original);
            FakeMail mail = mail(original);

            expander("mode", "replace").service(mail);

            assertThat(bytes(original)).isEqualTo(before);
            assertThat(mail.getMessage()).isNotSameAs(original);
        }

        @Test
        void aSignedMessageIsNotChangedItsFilesGoSeparately() throws Exception {
            MimeMultipart signed = new MimeMultipart("signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256");
            MimeBodyPart content = new MimeBodyPart();
            MimeMultipart inner = new MimeMultipart("mixed");
            inner.addBodyPart(TnefMessages.text("signed text\n"));
            inner.addBodyPart(TnefMessages.tnefPart(resource("one-file.tnef"), "application/ms-tnef", "winmail.dat"));
            content.setContent(inner);
            signed.addBodyPart(content);
            MimeBodyPart signature = new MimeBodyPart();
            signature.setContent("MIAGCSqGSIb3DQEHAqCAMIACAQE=", "application/pkcs7-signature");
            signed.addBodyPart(signature);
            MimeMessage original = TnefMessages.messageWith(signed);
            byte[] before = bytes(original);
            FakeMail mail = mail(original);

            expander("mode", "replace").service(mail);

            assertThat(bytes(mail.getMessage())).isEqualTo(before);
            assertThat(context.getSentMails()).hasSize(1);
            assertThat(files(TnefMessages.reparse(context.getSentMails().get(0).getMsg())).keySet())
                .containsExactly("AUTHORS");
        }
    }
}
