package org.switchboard.mailets.preprocessor.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.count;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.crlf;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.leaves;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.mail;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.octets;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.parse;
import static org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.resource;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.mailets.preprocessor.disclaimer.MimeFixtures.Leaf;

class DisclaimerTest {
    static final String TEXT = "Confidential: for the addressees only.\nSwitchboard test disclaimer.";
    static final String TEXT_CRLF = "Confidential: for the addressees only.\r\nSwitchboard test disclaimer.\r\n";
    static final String HTML = "<p>Confidential: for the <b>addressees</b> only.</p>";
    static final String DIV = "<div data-switchboard-disclaimer=\"disclaimer\"><p>Confidential: for the <b>addressees</b>"
        + " only.</p></div>";
    /** Not ASCII: an em dash, u and a umlauts (all in windows-1252 and ISO-8859-15, not all in ISO-8859-1). */
    static final String UML_TEXT = "Vertraulich \u2014 nur f\u00fcr die Empf\u00e4nger.\nSwitchboard test disclaimer.";
    static final String UML_TEXT_CRLF = "Vertraulich \u2014 nur f\u00fcr die Empf\u00e4nger.\r\nSwitchboard test disclaimer.\r\n";
    static final String UML_HTML = "<p>Vertraulich &mdash; nur f&uuml;r die <i>Empf&auml;nger</i>.</p>";
    static final String UML_DIV = "<div data-switchboard-disclaimer=\"disclaimer\"><p>Vertraulich &#x2014; nur f&#xfc;r die"
        + " <i>Empf&#xe4;nger</i>.</p></div>";
    static final String MARKER = "X-Switchboard-Disclaimer: disclaimer";

    static Disclaimer mailet(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("Disclaimer");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        Disclaimer disclaimer = new Disclaimer();
        disclaimer.init(config.build());
        return disclaimer;
    }

    static Disclaimer ascii() throws MessagingException {
        return mailet("text", TEXT, "html", HTML);
    }

    static Disclaimer umlauts() throws MessagingException {
        return mailet("text", UML_TEXT, "html", UML_HTML);
    }

    /** Runs the mailet on the octets; returns the mail. */
    static FakeMail run(Disclaimer mailet, byte[] octets) throws MessagingException {
        FakeMail mail = mail(octets);
        mailet.service(mail);
        return mail;
    }

    static byte[] output(FakeMail mail) throws Exception {
        return octets(mail.getMessage());
    }

    static String latin1(byte[] octets) {
        return new String(octets, StandardCharsets.ISO_8859_1);
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The original with the marker appended to its header and {@code insertion} put after the first {@code after}. */
    static byte[] expected(byte[] original, String after, String insertion) {
        String text = latin1(original);
        int headerEnd = text.indexOf("\r\n\r\n") + 2;
        String withMarker = text.substring(0, headerEnd) + MARKER + "\r\n" + text.substring(headerEnd);
        int at = withMarker.indexOf(after, headerEnd) + after.length();
        return latin1(withMarker.substring(0, at) + insertion + withMarker.substring(at));
    }

    static List<String> headerLines(MimeMessage message) throws MessagingException {
        return new ArrayList<>(Collections.list(message.getAllHeaderLines()));
    }

    static void assertUnchanged(byte[] original, Disclaimer mailet) throws Exception {
        FakeMail mail = mail(original);
        MimeMessage before = mail.getMessage();
        mailet.service(mail);
        assertThat(mail.getMessage()).as("the mail keeps its own message object").isSameAs(before);
        assertThat(latin1(output(mail))).isEqualTo(latin1(original));
    }

    // ====================================================================================== real-world messages

    @Nested
    class RealMessages {
        @Test
        void nonMimeMessageGetsTheTextAppendedAndNothingElseButTheMarker() throws Exception {
            byte[] original = resource("tb-no-content-type.eml");
            byte[] result = output(run(ascii(), original));
            assertThat(latin1(result)).isEqualTo(latin1(expected(original,
                "Try a Thunderbird Quick Filter for waldo in the message body.\r\n", "\r\n" + TEXT_CRLF)));
        }

        @Test
        void nonMimeMessageWithANonAsciiDisclaimerBecomesUtf8QuotedPrintable() throws Exception {
            byte[] original = resource("tb-no-content-type.eml");
            MimeMessage result = parse(output(run(umlauts(), original)));
            assertThat(headerLines(result)).containsSubsequence(headerLines(parse(original)))
                .contains("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding: quoted-printable", MARKER);
            assertThat(leaves(result).get("body").text()).isEqualTo(
                "Try a Thunderbird Quick Filter for waldo in the message body.\r\n\r\n" + UML_TEXT_CRLF);
        }

        @Test
        void htmlMessageGetsTheHtmlBeforeBodyEndInItsCharsetAndEncoding() throws Exception {
            byte[] original = resource("tb-03-HTML.eml");
            MimeMessage result = parse(output(run(umlauts(), original)));
            List<String> headers = headerLines(parse(original));
            headers.add(MARKER);
            assertThat(headerLines(result)).isEqualTo(headers);
            Leaf html = leaves(result).get("body");
            assertThat(html.contentType()).isEqualTo("text/html; charset=windows-1252; format=flowed");
            assertThat(html.text()).isEqualTo("<body>Search for <b>huhu</b>" + UML_DIV + "</body>");
        }

        @Test
        void alternativeGetsTheTextInThePlainPartAndTheHtmlInTheHtmlPart() throws Exception {
            byte[] original = resource("tb-06-plaintext+HTML.eml");
            MimeMessage result = parse(output(run(umlauts(), original)));
            Map<String, Leaf> parts = leaves(result);
            assertThat(parts).containsOnlyKeys("1", "2");
            // windows-1252 carries the em dash and the umlauts: the charset stays
            assertThat(parts.get("1").contentType()).isEqualTo("text/plain; charset=windows-1252; format=flowed");
            assertThat(parts.get("1").text()).isEqualTo("Search for hihi\r\n\r\n" + UML_TEXT_CRLF);
            assertThat(parts.get("2").contentType()).isEqualTo("text/html; charset=windows-1252");
            assertThat(parts.get("2").text()).isEqualTo("<body>Search for <b>huhu</b>" + UML_DIV + "</body>");
            assertThat(result.getHeader("Content-Transfer-Encoding")).isNull();
            assertThat(latin1(output(run(umlauts(), original)))).contains("Content-Transfer-Encoding: base64");
        }

        @Test
        void nestedMultipartGetsTheTextInItsFirstTextPartAndIsOtherwiseTheSameOctets() throws Exception {
            byte[] original = resource("mimetools-multi-nested.msg");
            byte[] result = output(run(ascii(), original));
            // preamble, epilogues, the GIFs, the richtext and the attached message: the same octets
            assertThat(latin1(result)).isEqualTo(latin1(expected(original,
                "done with explicit typing as in the next part.]\r\n", "\r\n" + TEXT_CRLF)));
        }

        @Test
        void nestedMultipartHeaderlessPartGetsMimeHeadersWhenItMustChangeCharset() throws Exception {
            byte[] original = resource("mimetools-multi-nested.msg");
            MimeMessage result = parse(output(run(umlauts(), original)));
            Map<String, Leaf> before = leaves(parse(original));
            Map<String, Leaf> after = leaves(result);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            assertThat(after.get("1").contentType()).isEqualTo("text/plain; charset=UTF-8");
            assertThat(after.get("1").text()).isEqualTo(before.get("1").text() + "\r\n" + UML_TEXT_CRLF);
            assertSameLeaves(before, after, "1");
        }

        @Test
        void multipartRelatedHtmlRootGetsTheHtml() throws Exception {
            byte[] original = resource("mimekit-multipart-related-mhtml.eml");
            MimeMessage result = parse(output(run(ascii(), original)));
            Map<String, Leaf> before = leaves(parse(original));
            Map<String, Leaf> after = leaves(result);
            String html = before.get("2").text();
            assertThat(after.get("2").text()).isEqualTo(html.replace("</body>", DIV + "</body>"));
            assertThat(after.get("2").contentType()).isEqualTo("text/html; charset=\"utf-8\"");
            assertSameLeaves(before, after, "2");
        }

        @Test
        void iso2022jpKeepsItsCharsetAndSevenBitsWithAnAsciiDisclaimer() throws Exception {
            byte[] original = resource("rubymail-japanese_iso_2022.eml");
            byte[] result = output(run(ascii(), original));
            // the text ends with an empty line already: the disclaimer follows it, in ASCII mode (ESC ( B)
            assertThat(latin1(result)).isEqualTo(latin1(expected(original, "\u001b(B\r\n\r\n", TEXT_CRLF)));
            Leaf body = leaves(parse(result)).get("body");
            assertThat(body.text()).isEqualTo("\u3059\u307f\u307e\u305b\u3093\u3002\r\n\r\n" + TEXT_CRLF);
        }

        @Test
        void iso2022jpKeepsItsCharsetWithAJapaneseDisclaimer() throws Exception {
            String japanese = "\u3053\u306e\u30e1\u30fc\u30eb\u306f\u6a5f\u5bc6\u3067\u3059\u3002";
            MimeMessage result = parse(output(run(mailet("text", japanese), resource("rubymail-japanese_iso_2022.eml"))));
            Leaf body = leaves(result).get("body");
            assertThat(body.contentType()).isEqualTo("text/plain;\r\n charset=iso-2022-jp");
            assertThat(latin1(body.content())).matches("[\\x00-\\x7F]*");
            assertThat(body.text()).isEqualTo("\u3059\u307f\u307e\u305b\u3093\u3002\r\n\r\n" + japanese + "\r\n");
        }

        @Test
        void iso2022jpBecomesUtf8WhenItCannotCarryTheDisclaimer() throws Exception {
            MimeMessage result = parse(output(run(mailet("text", "Confidentialit\u00e9"),
                resource("rubymail-japanese_iso_2022.eml"))));
            Leaf body = leaves(result).get("body");
            assertThat(body.contentType()).isEqualTo("text/plain; charset=UTF-8");
            assertThat(result.getEncoding()).isEqualTo("quoted-printable");
            assertThat(body.text()).isEqualTo("\u3059\u307f\u307e\u305b\u3093\u3002\r\n\r\nConfidentialit\u00e9\r\n");
        }

        @Test
        void rawUtf8HeadersKeepTheirOctets() throws Exception {
            byte[] original = resource("rubymail-utf8_headers.eml");
            byte[] result = output(run(ascii(), original));
            assertThat(latin1(result)).isEqualTo(latin1(expected(original, "body\r\n", "\r\n" + TEXT_CRLF)));
            assertThat(new String(result, StandardCharsets.UTF_8)).contains("Subject: S\u00e4ying Hello");
        }

        @Test
        void brokenInnerMultipartIsLeftAsItIsAndTheFirstTextPartGetsTheText() throws Exception {
            byte[] original = resource("mime4j-missing-inner-boundary.msg");
            byte[] result = output(run(ascii(), original));
            assertThat(latin1(result)).isEqualTo(latin1(expected(original, "Foo\r\n", "\r\n" + TEXT_CRLF)));
        }

        @Test
        void veryLongLinesKeepTheirSevenBitBodyUnencoded() throws Exception {
            byte[] original = resource("mime4j-basic-plain-very-long-lines.msg");
            byte[] result = output(run(ascii(), original));
            // the body had a line of 7081 octets already: a few short lines do not make it worse, no re-encoding
            assertThat(latin1(result)).isEqualTo(latin1(expected(original, "Done.", "\r\n\r\n" + TEXT_CRLF)));
        }

        @Test
        void aMessageThatIsOnlyAnAttachmentIsLeftAlone() throws Exception {
            assertUnchanged(resource("mime4j-russian-headers.msg"), ascii());
        }

        @ParameterizedTest
        @ValueSource(strings = {"smime-nss-alice.dsig.SHA256.multipart.eml", "pgp-tb-alice-signed.eml"})
        void signedMessagesAreNeverChanged(String name) throws Exception {
            assertUnchanged(resource(name), ascii());
            assertUnchanged(resource(name), umlauts());
        }

        @Test
        void dkimSignedMessageGetsTheDisclaimerByDefaultAndItsContentLengthGoes() throws Exception {
            byte[] original = resource("crymap-dkim-yahoo-rsa-sha256.eml");
            byte[] result = output(run(ascii(), original));
            byte[] withoutLength = latin1(latin1(original).replace("Content-Length: 515\r\n", ""));
            assertThat(latin1(result)).isEqualTo(latin1(expected(withoutLength, "personal details.   \r\n\r\n\r\n",
                TEXT_CRLF)));
        }

        @Test
        void dkimSignedMessageIsLeftAloneWithDkimSignedSkip() throws Exception {
            assertUnchanged(resource("crymap-dkim-yahoo-rsa-sha256.eml"),
                mailet("text", TEXT, "dkimSigned", "skip"));
        }
    }

    static void assertSameLeaves(Map<String, Leaf> before, Map<String, Leaf> after, String... except) {
        for (Map.Entry<String, Leaf> leaf : before.entrySet()) {
            if (List.of(except).contains(leaf.getKey())) {
                continue;
            }
            assertThat(after.get(leaf.getKey()).contentType()).as("type of part " + leaf.getKey())
                .isEqualTo(leaf.getValue().contentType());
            assertThat(after.get(leaf.getKey()).content()).as("content of part " + leaf.getKey())
                .isEqualTo(leaf.getValue().content());
        }
    }

    // ================================================================================= signed and encrypted

    @Nested
    class SignedAndEncrypted {
        @Test
        void aSignedPartInsideAMixedMessageKeepsTheWholeMessageUnchanged() throws Exception {
            assertUnchanged(crlf("""
                From: a@example.com
                Content-Type: multipart/mixed; boundary=outer

                --outer
                Content-Type: text/plain

                Hello
                --outer
                Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=inner

                --inner
                Content-Type: text/plain

                signed text
                --inner
                Content-Type: application/pgp-signature

                -----BEGIN PGP SIGNATURE-----
                -----END PGP SIGNATURE-----
                --inner--
                --outer--
                """), ascii());
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
            "application/x-pkcs7-mime; smime-type=enveloped-data",
            "multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b"})
        void opaqueSignedAndEncryptedMessagesAreNeverChanged(String type) throws Exception {
            assertUnchanged(crlf("From: a@example.com\nContent-Type: " + type + "\n\n--b\nContent-Type: application/pgp-encrypted\n\n"
                + "Version: 1\n--b\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nxyz\n"
                + "-----END PGP MESSAGE-----\n--b--\n"), ascii());
        }

        @Test
        void inlinePgpMessagesAreNeverChanged() throws Exception {
            assertUnchanged(crlf("From: a@example.com\nContent-Type: text/plain\n\n-----BEGIN PGP MESSAGE-----\n\nhQEMA\n"
                + "-----END PGP MESSAGE-----\n"), ascii());
            assertUnchanged(crlf("From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nplain\n--b\nContent-Type: text/html\n\n<html><body><pre>\n"
                + "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n</pre></body></html>\n--b--\n"), ascii());
        }
    }

    // =============================================================================================== once only

    @Nested
    class OnceOnly {
        @Test
        void aSecondPassChangesNothing() throws Exception {
            byte[] first = output(run(ascii(), resource("tb-06-plaintext+HTML.eml")));
            assertUnchanged(first, ascii());
            Map<String, Leaf> parts = leaves(parse(first));
            assertThat(count(parts.get("1").text(), "Switchboard test disclaimer.")).isEqualTo(1);
            assertThat(count(parts.get("2").text(), "data-switchboard-disclaimer")).isEqualTo(1);
            assertThat(count(latin1(first), MARKER)).isEqualTo(1);
        }

        @Test
        void aSecondPassOnEveryRealMessageChangesNothing() throws Exception {
            for (String name : List.of("tb-03-HTML.eml", "tb-no-content-type.eml", "rubymail-japanese_iso_2022.eml",
                "mimetools-multi-nested.msg", "mimekit-multipart-related-mhtml.eml", "crymap-dkim-yahoo-rsa-sha256.eml")) {
                byte[] first = output(run(umlauts(), resource(name)));
                assertUnchanged(first, umlauts());
            }
        }

        @Test
        void aForgedMarkerWithoutTheTextDoesNotStopTheDisclaimerAndIsNotRepeated() throws Exception {
            byte[] forged = crlf("From: a@example.com\nX-Switchboard-Disclaimer: disclaimer\nSubject: x\n\nHello\n");
            byte[] result = output(run(ascii(), forged));
            assertThat(latin1(result)).isEqualTo(latin1(forged) + "\r\n" + TEXT_CRLF);
        }

        @Test
        void aReplyQuotingTheDisclaimerGetsItAgain() throws Exception {
            byte[] reply = crlf("From: b@example.com\nSubject: Re: x\n\nThanks!\n\n> Hello\n>\n> " + TEXT.replace("\n", "\n> ") + "\n");
            FakeMail mail = run(ascii(), reply);
            assertThat(count(leaves(parse(output(mail))).get("body").text(), "Switchboard test disclaimer.")).isEqualTo(2);
        }

        @Test
        void anotherDisclaimerNameIsAnotherDisclaimer() throws Exception {
            byte[] first = output(run(ascii(), resource("tb-no-content-type.eml")));
            byte[] second = output(run(mailet("name", "legal", "text", "Legal footer."), first));
            assertThat(latin1(second)).contains(MARKER + "\r\nX-Switchboard-Disclaimer: legal\r\n")
                .endsWith(TEXT_CRLF + "\r\nLegal footer.\r\n");
        }
    }

    // ==================================================================================================== html

    @Nested
    class Html {
        static byte[] htmlMessage(String html) {
            return crlf("From: a@example.com\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + html);
        }

        static String htmlOf(FakeMail mail) throws Exception {
            return leaves(parse(output(mail))).get("body").text();
        }

        @Test
        void bodyEndTagsInCommentsScriptsAndAttributesAreNotTheBodyEnd() throws Exception {
            String html = "<html><body><!-- </body> --><script>var s = '</body>';</script>"
                + "<p title=\"</body>\">text</p>\r\n</body>\r\n</html>\r\n";
            String result = htmlOf(run(ascii(), htmlMessage(html)));
            assertThat(result).isEqualTo(html.replace("text</p>\r\n</body>", "text</p>\r\n" + DIV + "\r\n</body>"));
        }

        @Test
        void upperCaseBodyEndTag() throws Exception {
            String html = "<HTML><BODY>Hi</BODY ></HTML>";
            assertThat(htmlOf(run(ascii(), htmlMessage(html)))).isEqualTo("<HTML><BODY>Hi" + DIV + "</BODY ></HTML>");
        }

        @Test
        void withoutBodyEndTagBeforeTheHtmlEndTag() throws Exception {
            assertThat(htmlOf(run(ascii(), htmlMessage("<html><body>Hi</html>"))))
                .isEqualTo("<html><body>Hi" + DIV + "</html>");
        }

        @Test
        void withoutEndTagsAtTheEnd() throws Exception {
            assertThat(htmlOf(run(ascii(), htmlMessage("<p>Hi <b>there")))).isEqualTo("<p>Hi <b>there" + DIV);
        }

        @Test
        void anUnclosedCommentWouldHideTheDisclaimerSoTheMessageStaysAsItIs() throws Exception {
            assertUnchanged(htmlMessage("<html><body>Hi <!-- unclosed"), ascii());
        }

        @Test
        void htmlInIso2022jpIsDecodedAndWrittenBackInIso2022jp() throws Exception {
            String japanese = "\u3053\u3093\u306b\u3061\u306f";
            byte[] body = ("<html><body>" + japanese + "</body></html>").getBytes(Charset.forName("ISO-2022-JP"));
            byte[] message = latin1(latin1(crlf("From: a@example.com\nMIME-Version: 1.0\n"
                + "Content-Type: text/html; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n")) + latin1(body));
            Leaf html = leaves(parse(output(run(umlauts(), message)))).get("body");
            assertThat(html.contentType()).isEqualTo("text/html; charset=ISO-2022-JP");
            assertThat(html.text()).isEqualTo("<html><body>" + japanese + UML_DIV + "</body></html>");
        }

        @Test
        void aTextOnlyDisclaimerIsShownInHtmlPartsAsEscapedLines() throws Exception {
            String html = htmlOf(run(mailet("text", "A & B <legal>\nLine 2"), htmlMessage("<body>Hi</body>")));
            assertThat(html).isEqualTo("<body>Hi<div data-switchboard-disclaimer=\"disclaimer\">A &amp; B &lt;legal&gt;<br>"
                + "Line 2</div></body>");
        }

        @Test
        void anHtmlOnlyDisclaimerIsShownInPlainPartsAsItsText() throws Exception {
            FakeMail mail = run(mailet("html", "<p>First &amp; <b>bold</b></p><p>Second<br>third</p>"),
                crlf("From: a@example.com\n\nHello\n"));
            assertThat(leaves(parse(output(mail))).get("body").text())
                .isEqualTo("Hello\r\n\r\nFirst & bold\r\nSecond\r\nthird\r\n");
        }
    }

    // =================================================================================================== plain

    @Nested
    class Plain {
        /** A message whose body is written in UTF-8. */
        static byte[] plainMessage(String headers, String body) {
            return crlf(latin1(("From: a@example.com\nMIME-Version: 1.0\n" + headers + "\n\n" + body)
                .getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        void formatFlowedDisclaimerLinesAreHardBreaksStuffedAndWrapped() throws Exception {
            String text = "> quoted-looking line   \nFrom here on\n-- \n" + "word ".repeat(30).trim();
            FakeMail mail = run(mailet("text", text),
                plainMessage("Content-Type: text/plain; charset=us-ascii; format=flowed", "Hello\n"));
            String body = leaves(parse(output(mail))).get("body").text();
            String[] lines = body.split("\r\n");
            assertThat(lines[0]).isEqualTo("Hello");
            assertThat(lines[1]).isEmpty();
            assertThat(lines[2]).isEqualTo(" > quoted-looking line");
            assertThat(lines[3]).isEqualTo(" From here on");
            assertThat(lines[4]).isEqualTo("-- ");
            assertThat(lines[5]).endsWith("word ").hasSizeLessThanOrEqualTo(77);
            assertThat(String.join("", List.of(lines).subList(5, lines.length))).isEqualTo("word ".repeat(30).trim());
        }

        @Test
        void withDelSpYesLongLinesAreNotWrapped() throws Exception {
            String text = "word ".repeat(30).trim();
            FakeMail mail = run(mailet("text", text),
                plainMessage("Content-Type: text/plain; charset=us-ascii; format=flowed; delsp=yes", "Hello\n"));
            assertThat(leaves(parse(output(mail))).get("body").text()).isEqualTo("Hello\r\n\r\n" + text + "\r\n");
        }

        @Test
        void anEightBitPartStaysEightBit() throws Exception {
            FakeMail mail = run(umlauts(), plainMessage(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit", "Gr\u00fc\u00dfe\n"));
            byte[] result = output(mail);
            assertThat(parse(result).getEncoding()).isEqualTo("8bit");
            assertThat(leaves(parse(result)).get("body").text()).isEqualTo("Gr\u00fc\u00dfe\r\n\r\n" + UML_TEXT_CRLF);
        }

        @Test
        void aSevenBitPartBecomesQuotedPrintableForEightBitTextAndKeepsItsCharset() throws Exception {
            byte[] result = output(run(mailet("text", "F\u00fcr Sie"),
                plainMessage("Content-Type: text/plain; charset=iso-8859-1", "Hello\n")));
            assertThat(parse(result).getEncoding()).isEqualTo("quoted-printable");
            assertThat(parse(result).getContentType()).isEqualTo("text/plain; charset=iso-8859-1");
            assertThat(latin1(result)).contains("F=FCr Sie");
        }

        @Test
        void aBase64PartStaysBase64() throws Exception {
            byte[] result = output(run(ascii(), plainMessage(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", "SGVsbG8K\n")));
            assertThat(parse(result).getEncoding()).isEqualTo("base64");
            // the text has LF line ends (base64 keeps them): the disclaimer follows them
            assertThat(leaves(parse(result)).get("body").text()).isEqualTo("Hello\n\n" + TEXT + "\n");
        }

        @Test
        void usAsciiLabelledEightBitTextIsNotConvertedForANonAsciiDisclaimer() throws Exception {
            // which charset the octets are in is unknown: converting them would garble them
            assertUnchanged(plainMessage("Content-Type: text/plain; charset=us-ascii", "Gr\u00fc\u00dfe\n"), umlauts());
        }

        @Test
        void usAsciiLabelledEightBitTextGetsAnAsciiDisclaimer() throws Exception {
            byte[] original = plainMessage("Content-Type: text/plain; charset=us-ascii", "Gr\u00fc\u00dfe\n");
            assertThat(latin1(output(run(ascii(), original))))
                .isEqualTo(latin1(expected(original, "e\r\n", "\r\n" + TEXT_CRLF)));
        }

        @Test
        void unknownCharsetOrTransferEncodingOrOversizePartLeavesTheMessageAsItIs() throws Exception {
            assertUnchanged(plainMessage("Content-Type: text/plain; charset=x-no-such-charset", "Hello\n"), ascii());
            assertUnchanged(plainMessage("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode", "Hello\n"),
                ascii());
            assertUnchanged(plainMessage("Content-Type: text/plain", "Hello\n".repeat(200)),
                mailet("text", TEXT, "maxTextSize", "1k"));
        }

        @Test
        void mixedWithAnImageFirstGivesTheTextToTheFirstTextBody() throws Exception {
            byte[] original = crlf("""
                From: a@example.com
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: image/gif
                Content-Transfer-Encoding: base64

                R0lGODdhAQABAAAAACw=
                --b
                Content-Type: text/plain

                Body text
                --b
                Content-Type: text/plain
                Content-Disposition: attachment; filename=notes.txt

                attached text
                --b--
                """);
            assertThat(latin1(output(run(ascii(), original))))
                .isEqualTo(latin1(expected(original, "Body text", "\r\n\r\n" + TEXT_CRLF)));
        }

        @Test
        void mixedAlternativeRelatedGivesBothAlternatives() throws Exception {
            byte[] original = crlf("""
                From: a@example.com
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary=mixed

                --mixed
                Content-Type: multipart/alternative; boundary=alt

                --alt
                Content-Type: text/plain; charset=utf-8

                Plain body
                --alt
                Content-Type: multipart/related; boundary=rel

                --rel
                Content-Type: text/html; charset=utf-8

                <html><body><p>HTML body</p><img src="cid:logo"></body></html>
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
                """);
            byte[] result = output(run(ascii(), original));
            String expectedText = latin1(expected(original, "Plain body", "\r\n\r\n" + TEXT_CRLF))
                .replace("<img src=\"cid:logo\"></body>", "<img src=\"cid:logo\">" + DIV + "</body>");
            assertThat(latin1(result)).isEqualTo(expectedText);
        }

        @Test
        void inputWithLfLineEndsKeepsThem() throws Exception {
            byte[] original = latin1("From: a@example.com\n\nHello\nWorld\n");
            FakeMail mail = run(ascii(), original);
            assertThat(leaves(parse(output(mail))).get("body").text()).isEqualTo("Hello\nWorld\n\n" + TEXT + "\n");
        }
    }

    // ================================================================================================= hostile

    @Nested
    class HostileInput {
        @Test
        void unparsableContentTypeIsLeftAlone() throws Exception {
            assertUnchanged(crlf("From: a@example.com\nContent-Type: text/plain; charset\n\nHello\n"), ascii());
            assertUnchanged(crlf("From: a@example.com\nContent-Type: ;;;\n\nHello\n"), ascii());
        }

        @Test
        void anAttachmentWithAnUnparsableContentTypeDoesNotKeepTheTextFromItsDisclaimer() throws Exception {
            byte[] original = crlf("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nHello\n--b\nContent-Type: ;;garbage\n\nxyz\n--b--\n");
            assertThat(latin1(output(run(ascii(), original))))
                .isEqualTo(latin1(expected(original, "Hello", "\r\n\r\n" + TEXT_CRLF)));
        }

        @Test
        void deepNestingIsLeftAlone() throws Exception {
            StringBuilder message = new StringBuilder("From: a@example.com\nContent-Type: multipart/mixed; boundary=b0\n\n");
            int depth = 60;
            for (int i = 1; i <= depth; i++) {
                message.append("--b").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=b").append(i).append("\n\n");
            }
            message.append("--b").append(depth).append("\nContent-Type: text/plain\n\ndeep\n");
            for (int i = depth; i >= 0; i--) {
                message.append("--b").append(i).append("--\n");
            }
            assertUnchanged(crlf(message.toString()), ascii());
        }

        @Test
        void aMultipartWithoutItsCloseDelimiterIsClosed() throws Exception {
            byte[] original = crlf("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nHello\n--b\nContent-Type: text/plain\n\ncut off here");
            MimeMessage result = parse(output(run(ascii(), original)));
            Map<String, Leaf> parts = leaves(result);
            assertThat(parts.get("1").text()).isEqualTo("Hello\r\n\r\n" + TEXT_CRLF);
            assertThat(parts.get("2").text()).isEqualTo("cut off here");
            assertThat(latin1(output(run(ascii(), original)))).endsWith("cut off here\r\n--b--\r\n");
        }

        @Test
        void brokenBase64IsLeftAlone() throws Exception {
            assertUnchanged(crlf("From: a@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
                + "!!!! not base64 ====\n"), ascii());
        }

        @Test
        void nulAndControlOctetsInTheBodyMakeItQuotedPrintable() throws Exception {
            byte[] original = crlf("From: a@example.com\nContent-Type: text/plain\n\nA\u0000B\n");
            MimeMessage result = parse(output(run(umlauts(), original)));
            // the octets were NUL already: no worse, the encoding stays; the text is UTF-8 now: re-encoded, valid
            assertThat(result.getEncoding()).isEqualTo("quoted-printable");
            assertThat(leaves(result).get("body").text()).isEqualTo("A\u0000B\r\n\r\n" + UML_TEXT_CRLF);
        }
    }
}
