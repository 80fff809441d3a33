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

import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertRefused("unknown init parameter(s) [txt]", "txt", "hello");
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
        assertRefused("init parameter textFile: " + dir.resolve("missing.txt") + " does not exist",
            "textFile", dir.resolve("missing.txt").toString());
        assertRefused("init parameter htmlFile: " + dir + " is not a readable file", "htmlFile", dir.toString());
    }

    @Test
    void fileThatIsNotUtf8() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), "F\u00fcr Sie".getBytes(StandardCharsets.ISO_8859_1));
        assertRefused("init parameter textFile: " + latin1 + " is not UTF-8 text", "textFile", latin1.toString());
    }

    @Test
    void fileTooBigForADisclaimer() throws Exception {
        Path big = Files.writeString(dir.resolve("big.txt"), "x".repeat(Disclaimer.MAX_DISCLAIMER_OCTETS + 1));
        assertRefused("init parameter textFile: " + big + " has 65537 octets", "textFile", big.toString());
    }

    @Test
    void emptyFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertRefused("the disclaimer of text/textFile is unusable: the plain-text disclaimer is empty",
            "textFile", empty.toString());
    }

    @Test
    void controlCharacters() {
        assertRefused("unusable: control character U+0007", "text", "Beep\u0007");
        assertRefused("unusable: control character U+001B", "text", "ok", "html", "<p>\u001b[31m</p>");
    }

    @Test
    void htmlThatShowsNoText() {
        assertRefused("unusable: the HTML disclaimer has no text to show in plain-text parts", "html", "<img src=x>");
        assertRefused("unusable: the HTML disclaimer shows no text", "text", "x", "html", "<p> </p>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a b|init parameter name 'a b' must be 1 to 64 letters",
        "-lead|init parameter name '-lead'",
        "a:b|init parameter name 'a:b'"})
    void badName(String name, String message) {
        assertRefused(message, "name", name, "text", "x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SMTPD,FOO|init parameter inputChannels 'SMTPD,FOO': FOO is not an input channel; input channels are BSMTPIN, "
            + "CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL",
        "SMTPD,,DL|init parameter inputChannels 'SMTPD,,DL': '' is not a channel name",
        "LOCAL|LOCAL is not an input channel",
        "SMTP D|'SMTP D' is not a channel name"})
    void badInputChannels(String channels, String message) {
        assertRefused(message, "inputChannels", channels, "text", "x");
    }

    @Test
    void emptyInputChannels() {
        assertRefused("init parameter inputChannels is empty; leave it out for every channel", "inputChannels", " ",
            "text", "x");
    }

    @Test
    void badDkimPolicy() {
        assertRefused("init parameter dkimSigned 'maybe' must be insert (the default) or skip", "dkimSigned", "maybe",
            "text", "x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ten|init parameter maxTextSize 'ten' must be a number of octets, optionally followed by k or m",
        "10g|init parameter maxTextSize '10g'",
        "0|init parameter maxTextSize must be more than 0"})
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
    void relativeFilesAreInTheServersFolder() {
        Path home = Path.of(System.getProperty("working.directory", "."));
        assertThat(Disclaimer.resolve("file://conf/disclaimer.txt")).isEqualTo(home.resolve("conf/disclaimer.txt").normalize());
        assertThat(Disclaimer.resolve("conf/disclaimer.txt")).isEqualTo(home.resolve("conf/disclaimer.txt").normalize());
        assertThat(Disclaimer.resolve("/etc/disclaimer.txt")).isEqualTo(Path.of("/etc/disclaimer.txt"));
        assertThat(Disclaimer.resolve("file:///etc/disclaimer.txt")).isEqualTo(Path.of("/etc/disclaimer.txt"));
    }

    @Test
    void guiceBuildsItTheWayJamesDoes() {
        // James' GuiceMailetLoader: injector.getInstance(class), then init
        assertThat(com.google.inject.Guice.createInjector().getInstance(Disclaimer.class)).isNotNull();
    }

    @Test
    void jamesParametersAreAccepted() throws Exception {
        mailet("text", "x", "onMailetException", "ignore", "onMatchException", "noMatch");
    }
}
