package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.count;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.leaves;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.parse;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.resource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;
import org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.Leaf;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Disclaimers on the packaged server: the shipped pipeline has them off; this test turns on the shipped example (for
 * WEBMAIL mail, which nothing here sends) and a disclaimer of its own for all mail, sends real messages over SMTP and
 * reads them back over IMAP: plain, HTML, alternative, nested multiparts, non-MIME, 8-bit, ISO-2022-JP get the
 * disclaimer once, in the right part, in their charset when it can carry it; signed messages come back octet for
 * octet; a message that passes twice gets it once.
 *
 * <p>The test's disclaimer has one non-ASCII character, the section sign, which windows-1252, ISO-8859-1 and
 * ISO-2022-JP (JIS X 0208) can all carry and US-ASCII cannot.
 */
class DisclaimerIT {
    private static final String DOMAIN = "example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "bob-Secret-9";
    private static final String SENDER = "sender@origin.example";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private static final String TEXT = "Confidential under \u00a7 4 of our terms: for the addressees only.\n"
        + "Switchboard disclaimer test.\n";
    private static final String TEXT_LINES = "Confidential under \u00a7 4 of our terms: for the addressees only.\r\n"
        + "Switchboard disclaimer test.\r\n";
    private static final String HTML = "<p>Confidential under &sect; 4 of our terms: for the <b>addressees</b> only.</p>\n";
    private static final String DIV = "<div data-switchboard-disclaimer=\"it\"><p>Confidential under &#xa7; 4 of our terms:"
        + " for the <b>addressees</b> only.</p></div>";
    private static final String MARKER = "X-Switchboard-Disclaimer: it";
    private static final String CLASS = "org.switchboard.mailets.preprocessor.disclaimer.Disclaimer";

    @TempDir
    static Path tempDir;
    static PackagedServer server;
    static List<String> shippedActiveDisclaimers;
    static String shippedPipeline;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        Path conf = server.home.resolve("conf");
        shippedPipeline = Files.readString(conf.resolve("mailetcontainer.xml"));
        shippedActiveDisclaimers = activeMailets(conf.resolve("mailetcontainer.xml"), CLASS);

        Files.writeString(conf.resolve("disclaimer-it.txt"), TEXT, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("disclaimer-it.html"), HTML, StandardCharsets.UTF_8);
        PipelineEditor pipeline = PipelineEditor.of(server);
        // the shipped example, out of its comment (it loads the shipped files; it is for WEBMAIL mail only), then
        // this test's own, for all mail
        pipeline.processor("preprocess").uncomment(CLASS).insertAfter("""
            <mailet match="All" class="%s">
                <name>it</name>
                <textFile>file://conf/disclaimer-it.txt</textFile>
                <htmlFile>file://conf/disclaimer-it.html</htmlFile>
            </mailet>""".formatted(CLASS));
        pipeline.save();
        server.startWith(DOMAIN, PASSWORD, BOB);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "DisclaimerIT");
    }

    @Test
    void theShippedPipelineHasTheDisclaimerOnlyInACommentAndItsExampleFilesLoad() throws Exception {
        assertThat(shippedActiveDisclaimers).as("active Disclaimer mailets in the shipped pipeline").isEmpty();
        assertThat(shippedPipeline).contains("class=\"" + CLASS + "\"");
        assertThat(server.home.resolve("conf/disclaimer.txt")).isRegularFile();
        assertThat(server.home.resolve("conf/disclaimer.html")).isRegularFile();
        // the server started with the example out of its comment: its files passed the mailet's checks
        assertThat(activeMailets(server.home.resolve("conf/mailetcontainer.xml"), CLASS)).hasSize(2);
        assertThat(server.isRunning()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- the body

    @Test
    void nonMimeMessageBecomesUtf8ForTheSectionSign() throws Exception {
        MimeMessage result = parse(deliver("non-mime", resource("tb-no-content-type.eml")));
        Map<String, Leaf> leaves = leaves(result);
        assertThat(leaves.get("body").contentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(leaves.get("body").text())
            .isEqualTo("Try a Thunderbird Quick Filter for waldo in the message body.\r\n\r\n" + TEXT_LINES);
        assertThat(result.getHeader("X-Switchboard-Disclaimer")).containsExactly("it");
    }

    @Test
    void htmlMessageGetsTheHtmlBeforeBodyEndInItsOwnCharset() throws Exception {
        MimeMessage result = parse(deliver("html", resource("tb-03-HTML.eml")));
        Leaf html = leaves(result).get("body");
        assertThat(html.contentType()).isEqualTo("text/html; charset=windows-1252; format=flowed");
        assertThat(result.getEncoding()).isEqualTo("base64");
        assertThat(html.text()).isEqualTo("<body>Search for <b>huhu</b>" + DIV + "</body>");
    }

    @Test
    void alternativeGetsTextAndHtmlOnce() throws Exception {
        MimeMessage result = parse(deliver("alternative", resource("tb-06-plaintext+HTML.eml")));
        Map<String, Leaf> leaves = leaves(result);
        assertThat(leaves).containsOnlyKeys("1", "2");
        assertThat(leaves.get("1").contentType()).isEqualTo("text/plain; charset=windows-1252; format=flowed");
        assertThat(leaves.get("1").text()).isEqualTo("Search for hihi\r\n\r\n" + TEXT_LINES);
        assertThat(leaves.get("2").text()).isEqualTo("<body>Search for <b>huhu</b>" + DIV + "</body>");
        assertThat(result.getHeader("X-Switchboard-Disclaimer")).containsExactly("it");
    }

    @Test
    void nestedMultipartGetsItInItsFirstTextPartOnly() throws Exception {
        byte[] original = resource("mimetools-multi-nested.msg");
        MimeMessage result = parse(deliver("nested", original));
        Map<String, Leaf> before = leaves(parse(original));
        Map<String, Leaf> after = leaves(result);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        assertThat(after.get("1").text()).isEqualTo(before.get("1").text() + "\r\n" + TEXT_LINES);
        assertSameLeaves(before, after, "1");
        String octets = latin1(MailAccess.withoutPrependedTrace(rawOf("nested"), SENDER, BOB));
        assertThat(octets).as("preamble and epilogues kept")
            .contains("The preamble of the outer multipart message.\r\n", "The epilogue for the inner multipart message.\r\n")
            .endsWith("--unique-boundary-1--\r\n\r\nThe epilogue for the outer message.\r\n\r\n");
    }

    @Test
    void mixedAlternativeRelatedGetsBothAlternativesAndLeavesTheAttachment() throws Exception {
        byte[] original = MailAccess.toCrlf(("""
            From: someone@origin.example
            To: bob@example.com
            Subject: mixed > alternative > related
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary=mixed

            --mixed
            Content-Type: multipart/alternative; boundary=alt

            --alt
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: 8bit

            Gr\u00fc\u00dfe aus K\u00f6ln
            --alt
            Content-Type: multipart/related; boundary=rel

            --rel
            Content-Type: text/html; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            <html><body><p>Gr=FC=DFe aus K=F6ln</p><img src=3D"cid:logo"></body></html>
            --rel
            Content-Type: image/png
            Content-ID: <logo>
            Content-Transfer-Encoding: base64

            iVBORw0KGgo=
            --rel--
            --alt--
            --mixed
            Content-Type: application/pdf; name=doc.pdf
            Content-Disposition: attachment; filename=doc.pdf
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            --mixed--
            """).getBytes(StandardCharsets.ISO_8859_1));
        MimeMessage result = parse(deliver("mixed-alternative-related", original));
        Map<String, Leaf> before = leaves(parse(original));
        Map<String, Leaf> after = leaves(result);
        assertThat(after.get("1.1").contentType()).isEqualTo("text/plain; charset=iso-8859-1");
        assertThat(after.get("1.1").text()).isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln\r\n\r\n" + TEXT_LINES);
        assertThat(after.get("1.2.1").text())
            .isEqualTo("<html><body><p>Gr\u00fc\u00dfe aus K\u00f6ln</p><img src=\"cid:logo\">" + DIV + "</body></html>");
        assertSameLeaves(before, after, "1.1", "1.2.1");
    }

    @Test
    void multipartRelatedMhtmlGetsTheHtmlInItsRoot() throws Exception {
        byte[] original = resource("mimekit-multipart-related-mhtml.eml");
        Map<String, Leaf> before = leaves(parse(original));
        Map<String, Leaf> after = leaves(parse(deliver("mhtml", original)));
        assertThat(after.get("2").text()).isEqualTo(before.get("2").text().replace("</body>", DIV + "</body>"));
        assertSameLeaves(before, after, "2");
    }

    // -------------------------------------------------------------------------------------------- charsets

    @Test
    void iso2022jpStaysIso2022jpAndDecodes() throws Exception {
        MimeMessage result = parse(deliver("iso-2022-jp", resource("rubymail-japanese_iso_2022.eml")));
        Leaf body = leaves(result).get("body");
        assertThat(new ContentType(body.contentType()).getParameter("charset")).isEqualToIgnoringCase("iso-2022-jp");
        assertThat(result.getEncoding()).isEqualTo("7bit");
        assertThat(latin1(body.content())).matches("[\\x00-\\x7F]*");
        assertThat(body.text()).isEqualTo("\u3059\u307f\u307e\u305b\u3093\u3002\r\n\r\n" + TEXT_LINES);
        assertThat(result.getSubject()).isEqualTo("\u307e\u307f\u3080\u3081\u3082");
    }

    @Test
    void eightBitUtf8BodyStaysEightBit() throws Exception {
        byte[] original = MailAccess.toCrlf(("From: someone@origin.example\nTo: bob@example.com\nSubject: 8bit\n"
            + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            + "Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\n").getBytes(StandardCharsets.UTF_8));
        MimeMessage result = parse(deliver("8bit", original));
        assertThat(result.getEncoding()).isEqualTo("8bit");
        assertThat(leaves(result).get("body").text())
            .isEqualTo("Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\r\n\r\n" + TEXT_LINES);
    }

    @Test
    void rawEightBitHeadersKeepTheirOctets() throws Exception {
        byte[] original = resource("rubymail-utf8_headers.eml");
        byte[] delivered = MailAccess.withoutPrependedTrace(deliver("utf8-headers", original), SENDER, BOB);
        String header = new String(delivered, StandardCharsets.UTF_8);
        assertThat(header).contains("From: \"J\u00f6hn Doe\" <jd\u00f6e@m\u00e4chine.example>\r\n",
            "Subject: S\u00e4ying Hello\r\n");
        assertThat(leaves(parse(delivered)).get("body").text()).isEqualTo("body\r\n\r\n" + TEXT_LINES);
    }

    // ------------------------------------------------------------------------------------- never, and once

    @Test
    void signedMessagesArriveOctetForOctet() throws Exception {
        for (String file : List.of("smime-nss-alice.dsig.SHA256.multipart.eml", "pgp-tb-alice-signed.eml")) {
            byte[] sent = withTestId(file, resource(file));
            byte[] delivered = MailAccess.withoutPrependedTrace(deliver(file, resource(file)), SENDER, BOB);
            MailAccess.assertSameBytes(sent, delivered, file + " changed");
        }
    }

    @Test
    void dkimSignedMessageGetsTheDisclaimerByDefault() throws Exception {
        MimeMessage result = parse(deliver("dkim", resource("crymap-dkim-yahoo-rsa-sha256.eml")));
        assertThat(leaves(result).get("1").text()).endsWith("personal details.   \r\n\r\n\r\n" + TEXT_LINES);
        assertThat(result.getHeader("Content-Length")).as("stale Content-Length removed").isNull();
        assertThat(result.getHeader("DKIM-Signature")).hasSize(1);
    }

    @Test
    void aMessageThatPassesTwiceGetsTheDisclaimerOnce() throws Exception {
        byte[] once = MailAccess.withoutPrependedTrace(deliver("twice-1", resource("tb-06-plaintext+HTML.eml")), SENDER, BOB);
        // sent again as it arrived (a relay loop, a list re-sending it): nothing more is added
        byte[] again = once.clone();
        String text = latin1(again).replace("X-Test-Id: twice-1\r\n", "X-Test-Id: twice-2\r\n");
        byte[] twice = MailAccess.withoutPrependedTrace(send("twice-2", latin1(text)), SENDER, BOB);
        MailAccess.assertSameBytes(latin1(text), twice, "second pass changed the message");
        Map<String, Leaf> leaves = leaves(parse(twice));
        assertThat(count(leaves.get("1").text(), "Switchboard disclaimer test.")).isEqualTo(1);
        assertThat(count(leaves.get("2").text(), "data-switchboard-disclaimer")).isEqualTo(1);
        assertThat(count(latin1(twice), MARKER + "\r\n")).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------ help

    private static byte[] withTestId(String id, byte[] message) {
        return MailAccess.toCrlf(("X-Test-Id: " + id + "\r\n" + latin1(message)).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends the message with an X-Test-Id header on top; returns it as IMAP gives it back. */
    private static byte[] deliver(String id, byte[] message) throws Exception {
        return send(id, withTestId(id, message));
    }

    private static byte[] send(String id, byte[] message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("client.example");
            Reply done = smtp.send(SENDER, BOB, message);
            assertThat(done.code()).as("%s: %s", id, done).isEqualTo(250);
            smtp.quit();
        }
        return await(id + " delivered").atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> rawOf(id), raw -> raw != null);
    }

    private static byte[] rawOf(String id) throws Exception {
        byte[] marker = ("X-Test-Id: " + id + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (ImapMessage message : MailAccess.imapInbox(server.imapPort, BOB, PASSWORD)) {
            if (MailAccess.contains(message.raw(), marker)) {
                return message.raw();
            }
        }
        return null;
    }

    /** The mailet elements of the pipeline that name this class (comments are not elements). */
    private static List<String> activeMailets(Path pipeline, String className) throws Exception {
        NodeList mailets = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pipeline.toFile())
            .getElementsByTagName("mailet");
        List<String> found = new java.util.ArrayList<>();
        for (int i = 0; i < mailets.getLength(); i++) {
            Element mailet = (Element) mailets.item(i);
            if (mailet.getAttribute("class").equals(className)) {
                found.add(mailet.getAttribute("match"));
            }
        }
        return found;
    }

    private static String latin1(byte[] octets) {
        return new String(octets, StandardCharsets.ISO_8859_1);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void assertSameLeaves(Map<String, Leaf> before, Map<String, Leaf> after, String... changed) {
        before.forEach((number, leaf) -> {
            if (!List.of(changed).contains(number)) {
                assertThat(after.get(number).contentType()).as("type of part " + number).isEqualTo(leaf.contentType());
                assertThat(after.get(number).content()).as("content of part " + number).isEqualTo(leaf.content());
            }
        });
    }
}
