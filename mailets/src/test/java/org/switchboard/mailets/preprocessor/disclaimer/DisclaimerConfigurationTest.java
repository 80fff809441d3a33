package org.switchboard.mailets.preprocessor.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.mailets.preprocessor.disclaimer.DisclaimerTest.mailet;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.crlf;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.leaves;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.octets;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.parse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.ReloadingFile;

/** Every way to configure the mailet wrongly fails start-up with a message naming the mailet and the parameter. */
class DisclaimerConfigurationTest {
    @TempDir
    Path dir;

    private static void assertRefused(String expectedMessagePart, String... parameters) {
        assertThatThrownBy(() -> mailet(parameters))
            .isInstanceOf(javax.mail.MessagingException.class)
            .hasMessageStartingWith("Disclaimer: ")
            .hasMessageContaining(expectedMessagePart);
    }

    @Test
    void unknownParameter() {
        assertRefused("Unexpected init parameters found: [txt]; the parameters are dkimSigned, html, htmlFile, "
            + "maxTextSize, name, text, textFile", "txt", "hello");
    }

    @Test
    void noDisclaimerAtAll() {
        assertRefused("no disclaimer: give init parameter text or textFile", "name", "legal");
    }

    @Test
    void inlineTextAndFileTogether() throws Exception {
        Path file = Files.writeString(dir.resolve("d.txt"), "Disclaimer");
        assertRefused("init parameters text and textFile are both given", "text", "x", "textFile", file.toString());
        assertRefused("init parameters html and htmlFile are both given", "html", "<p>x</p>", "htmlFile", file.toString());
    }

    @Test
    void emptyValues() {
        assertRefused("init parameter text is empty", "text", "  ");
        assertRefused("init parameter textFile is empty", "textFile", " ");
        assertRefused("init parameter html is empty", "text", "x", "html", "");
    }

    @Test
    void fileThatDoesNotExistOrIsNoFile() {
        Path missing = dir.resolve("missing.txt");
        assertRefused("init parameter textFile '" + missing + "': Disclaimer textFile " + missing
            + " is not usable: NoSuchFileException", "textFile", missing.toString());
        assertRefused("init parameter htmlFile '" + dir + "': Disclaimer htmlFile " + dir + " is not usable: ",
            "htmlFile", dir.toString());
    }

    @Test
    void fileThatIsNotUtf8() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), "F\u00fcr Sie".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused("init parameter textFile '" + latin1 + "': Disclaimer textFile " + latin1
            + " is not usable: it is not UTF-8 text", "textFile", latin1.toString());
    }

    @Test
    void fileTooBigForADisclaimer() throws Exception {
        Path big = Files.writeString(dir.resolve("big.txt"), "x".repeat(Disclaimer.MAX_DISCLAIMER_OCTETS + 1));
        assertRefused("is not usable: it has 65537 octets, more than the 65536 a disclaimer may have", "textFile",
            big.toString());
    }

    @Test
    void emptyFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertRefused("is not usable: the plain-text disclaimer is empty", "textFile", empty.toString());
    }

    @Test
    void controlCharacters() {
        assertRefused("unusable: control character U+0007", "text", "Beep\u0007");
        assertRefused("unusable: control character U+001B", "text", "ok", "html", "<p>\u001b[31m</p>");
    }

    @Test
    void htmlThatShowsNoText() {
        assertRefused("unusable: the HTML disclaimer has no text to show in plain-text parts", "html", "<img src=x>");
        assertRefused("init parameter html '<p> </p>': unusable: the HTML disclaimer has no text to show in plain-text "
            + "parts", "text", "x", "html", "<p> </p>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a b|init parameter name 'a b': must be 1 to 64 letters",
        "-lead|init parameter name '-lead'",
        "a:b|init parameter name 'a:b'"})
    void badName(String name, String message) {
        assertRefused(message, "name", name, "text", "x");
    }

    @Test
    void badDkimPolicy() {
        assertRefused("init parameter dkimSigned 'maybe': expected one of insert, skip (default insert)", "dkimSigned",
            "maybe", "text", "x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ten|init parameter maxTextSize 'ten': not a size: a number of octets with an optional unit B, K, M or G",
        "10 m|init parameter maxTextSize '10 m': not a size",
        "0|init parameter maxTextSize '0': must be more than 0"})
    void badMaxTextSize(String size, String message) {
        assertRefused(message, "maxTextSize", size, "text", "x");
    }

    @Test
    void filesAreUtf8WithOrWithoutByteOrderMark() throws Exception {
        Path text = Files.write(dir.resolve("d.txt"), ("\uFEFFVertraulich \u2014 f\u00fcr Sie.\n").getBytes(StandardCharsets.UTF_8));
        Path html = Files.writeString(dir.resolve("d.html"), "<p>Vertraulich &mdash; <b>f\u00fcr Sie</b>.</p>\n");
        Disclaimer disclaimer = mailet("textFile", text.toString(), "htmlFile", "file://" + html);
        FakeMail mail = MimeFixtures.mail(crlf("From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n"
            + "--b\nContent-Type: text/plain; charset=utf-8\n\nHi\n--b\nContent-Type: text/html; charset=utf-8\n\n"
            + "<body>Hi</body>\n--b--\n"));
        disclaimer.service(mail);
        var parts = leaves(parse(octets(mail.getMessage())));
        assertThat(parts.get("1").text()).isEqualTo("Hi\r\n\r\nVertraulich \u2014 f\u00fcr Sie.\r\n");
        assertThat(parts.get("2").text()).isEqualTo("<body>Hi<div data-switchboard-disclaimer=\"disclaimer\">"
            + "<p>Vertraulich &#x2014; <b>f&#xfc;r Sie</b>.</p></div></body>");
    }

    @Test
    void relativeFilesAreInTheConfDirectory() throws Exception {
        Files.writeString(dir.resolve("legal.txt"), "From the conf directory.");
        Disclaimer disclaimer = new Disclaimer(new ConfigFiles(dir), System::nanoTime);
        disclaimer.init(FakeMailetConfig.builder().mailetName("Disclaimer").setProperty("textFile", "legal.txt").build());

        assertThat(bodyAfter(disclaimer)).isEqualTo("Hi\r\n\r\nFrom the conf directory.\r\n");
    }

    @Test
    void anEditedFileIsUsedAfterTheCheckIntervalAndABrokenEditKeepsThePreviousText() throws Exception {
        Path text = dir.resolve("legal.txt");
        Files.writeString(text, "First text.");
        AtomicLong clock = new AtomicLong();
        Disclaimer disclaimer = new Disclaimer(new ConfigFiles(dir), clock::get);
        disclaimer.init(FakeMailetConfig.builder().mailetName("Disclaimer").setProperty("textFile", "legal.txt").build());

        rewrite(text, "Second text.");
        assertThat(bodyAfter(disclaimer)).as("before the check interval").endsWith("First text.\r\n");
        clock.addAndGet(ReloadingFile.CHECK_INTERVAL.toNanos());
        assertThat(bodyAfter(disclaimer)).as("after it").endsWith("Second text.\r\n");

        rewrite(text, "\n\n");
        clock.addAndGet(ReloadingFile.CHECK_INTERVAL.toNanos());
        assertThat(bodyAfter(disclaimer)).as("an empty text is unusable").endsWith("Second text.\r\n");
    }

    /** Writes the file with a modification time a second later, as an editor would. */
    private static void rewrite(Path file, String content) throws Exception {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(1)));
    }

    /** The text/plain body of a one-line message once the mailet has served it. */
    private static String bodyAfter(Disclaimer disclaimer) throws Exception {
        FakeMail mail = MimeFixtures.mail(crlf("From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nHi\n"));
        disclaimer.service(mail);
        return parse(octets(mail.getMessage())).getContent().toString();
    }

    @Test
    void guiceBuildsItTheWayJamesDoes() throws Exception {
        // James' GuiceMailetLoader: injector.getInstance(class), then init
        Disclaimer disclaimer = com.google.inject.Guice.createInjector().getInstance(Disclaimer.class);
        disclaimer.init(FakeMailetConfig.builder().mailetName("Disclaimer").setProperty("text", "Built by Guice.")
            .build());

        assertThat(bodyAfter(disclaimer)).isEqualTo("Hi\r\n\r\nBuilt by Guice.\r\n");
    }

    @Test
    void jamesParametersAreAccepted() throws Exception {
        Disclaimer disclaimer = mailet("text", "x", "onMailetException", "ignore", "onMatchException", "noMatch");

        assertThat(bodyAfter(disclaimer)).isEqualTo("Hi\r\n\r\nx\r\n");
    }

    @ParameterizedTest
    @CsvSource({"insert, true", "skip, false"})
    void dkimSignedDecidesForSignedMessages(String policy, boolean inserted) throws Exception {
        Disclaimer disclaimer = mailet("text", "Legal.", "dkimSigned", policy);
        FakeMail mail = MimeFixtures.mail(crlf("From: a@example.com\nDKIM-Signature: v=1; a=rsa-sha256; d=example.com\n"
            + "Content-Type: text/plain; charset=utf-8\n\nHi\n"));

        disclaimer.service(mail);

        assertThat(parse(octets(mail.getMessage())).getContent().toString().contains("Legal.")).isEqualTo(inserted);
    }
}
