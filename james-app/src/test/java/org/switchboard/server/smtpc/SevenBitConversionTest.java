package org.switchboard.server.smtpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

class SevenBitConversionTest {
    private static final String TEXT = "Grüße aus Köln, naïve café\r\nzweite Zeile = gleich\r\n";

    private static byte[] converted(String message) throws Exception {
        Optional<byte[]> result = SevenBitConversion.convert(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)));
        assertThat(result).as("converted").isPresent();
        assertThat(SevenBitConversion.has8Bit(result.get())).as("7-bit octets only").isFalse();
        return result.get();
    }

    private static MimeMessage parse(byte[] octets) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(octets));
    }

    @Test
    void aSevenBitMessageHasNothingToConvert() throws Exception {
        String message = "From: a@x.test\r\nSubject: plain\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
        assertThat(SevenBitConversion.convert(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)))).isEmpty();
    }

    @Test
    void eightBitTextBecomesQuotedPrintableWithTheOtherHeaderFieldsUntouched() throws Exception {
        String header = "From: a@x.test\r\nSubject: text\r\nX-Folded: one\r\n two\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n";
        byte[] octets = converted(header + "Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT);

        String text = new String(octets, StandardCharsets.US_ASCII);
        assertThat(text).startsWith(header + "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
            .contains("Gr=C3=BC=C3=9Fe");
        MimeMessage parsed = parse(octets);
        assertThat(parsed.getEncoding()).isEqualTo("quoted-printable");
        assertThat(parsed.getContent()).isEqualTo(TEXT);
    }

    @Test
    void aMultipartIsWalkedTextToQuotedPrintableOthersToBase64SevenBitPartsKept() throws Exception {
        byte[] binary = {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, (byte) 0xfe, 'x'};
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("From: a@x.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\n"
            + "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT
            + "\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain seven bit\r\n"
            + "\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
        message.writeBytes(binary);
        message.writeBytes("\r\n--b1--\r\nepilogue\r\n".getBytes(StandardCharsets.US_ASCII));
        Optional<byte[]> result = SevenBitConversion.convert(new ByteArrayInputStream(message.toByteArray()));

        assertThat(result).isPresent();
        assertThat(SevenBitConversion.has8Bit(result.get())).isFalse();
        String text = new String(result.get(), StandardCharsets.US_ASCII);
        assertThat(text).contains("Content-Type: multipart/mixed; boundary=\"b1\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
            .contains("Content-Type: text/plain\r\n\r\nplain seven bit\r\n\r\n--b1\r\n")
            .endsWith("--b1--\r\nepilogue\r\n");
        MimeMultipart parts = (MimeMultipart) parse(result.get()).getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(((MimeBodyPart) parts.getBodyPart(0)).getEncoding()).isEqualTo("quoted-printable");
        assertThat(parts.getBodyPart(0).getContent()).isEqualTo(TEXT);
        assertThat(parts.getBodyPart(1).getContent()).isEqualTo("plain seven bit\r\n");
        assertThat(((MimeBodyPart) parts.getBodyPart(2)).getEncoding()).isEqualTo("base64");
        assertThat(parts.getBodyPart(2).getInputStream().readAllBytes()).isEqualTo(binary);
    }

    @Test
    void anAttachedMessageIsConvertedInside() throws Exception {
        String message = "From: a@x.test\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"
            + "--b1\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "From: inner@x.test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT
            + "\r\n--b1--\r\n";
        String text = new String(converted(message), StandardCharsets.US_ASCII);
        assertThat(text).contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            + "From: inner@x.test\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    }

    @Test
    void eightBitInAHeaderFieldIsRefused() {
        String message = "From: a@x.test\r\nSubject: Grüße\r\n\r\nbody\r\n";
        assertThatThrownBy(() -> SevenBitConversion.convert(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8))))
            .isInstanceOf(SevenBitConversion.NotConvertible.class)
            .hasMessageContaining("header field Subject");
    }

    @Test
    void eightBitInsideASignedMultipartIsRefused() {
        String message = "From: a@x.test\r\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
            + "micalg=pgp-sha256; boundary=s\r\n\r\n"
            + "--s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT
            + "\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n"
            + "\r\n--s--\r\n";
        assertThatThrownBy(() -> SevenBitConversion.convert(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8))))
            .isInstanceOf(SevenBitConversion.NotConvertible.class)
            .hasMessageContaining("multipart/signed").hasMessageContaining("RFC 1847");
    }
}
