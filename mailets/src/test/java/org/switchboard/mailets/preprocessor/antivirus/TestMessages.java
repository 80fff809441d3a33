package org.switchboard.mailets.preprocessor.antivirus;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

/** Raw messages for the anti-virus tests, written as a mail client or a virus would send them. */
public final class TestMessages {
    static final String EICAR_BASE64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(FakeScanner.EICAR.getBytes(StandardCharsets.US_ASCII));

    private TestMessages() {
    }

    static MimeMessage parse(String raw) throws MessagingException {
        return parse(raw.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    static MimeMessage parse(byte[] raw) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    static String plain(String body) {
        return """
            From: sender@outside.example.net
            To: user@example.com
            Subject: hello
            Message-ID: <plain@outside.example.net>
            Date: Mon, 30 Nov 2026 10:00:00 +0000

            """ + body;
    }

    /** A text and an EICAR attachment in base64: the attachment's bytes appear nowhere in the raw message. */
    static String withEicarAttachment(String messageId) {
        return """
            From: sender@outside.example.net
            To: user@example.com
            Subject: invoice
            Message-ID: %s
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: text/plain; charset=us-ascii

            Please find the invoice attached.
            --outer
            Content-Type: application/octet-stream; name="eicar.com"
            Content-Disposition: attachment; filename="eicar.com"
            Content-Transfer-Encoding: base64

            %s
            --outer--
            """.formatted(messageId, EICAR_BASE64);
    }

    /** The infected message above, forwarded as an attachment (message/rfc822) of another one. */
    static String forwarding(String inner) {
        return """
            From: forwarder@outside.example.net
            To: user@example.com
            Subject: Fwd: invoice
            Message-ID: <forward@outside.example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain

            See below.
            --fwd
            Content-Type: message/rfc822

            %s
            --fwd--
            """.formatted(inner);
    }

    static String attachment(String type, String encoding, String name, String encodedContent) {
        return """
            From: sender@outside.example.net
            To: user@example.com
            Subject: one attachment
            Message-ID: <attachment@outside.example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            text
            --b1
            Content-Type: %s; name="%s"
            Content-Transfer-Encoding: %s

            %s
            --b1--
            """.formatted(type, name, encoding, encodedContent);
    }

    /** Quoted-printable text carrying the binary marker: only the decoded part contains its bytes. */
    static String quotedPrintableMarker() {
        StringBuilder encoded = new StringBuilder("before ");
        for (byte b : FakeScanner.BINARY_MARKER) {
            encoded.append(String.format("=%02X", b & 0xff));
        }
        encoded.append(" after");
        return attachment("application/octet-stream", "quoted-printable", "marker.bin", encoded.toString());
    }

    /** multipart/mixed in multipart/mixed: the attachment is part 2.1. */
    static String nestedMultipart() {
        return """
            From: sender@outside.example.net
            To: user@example.com
            Subject: nested
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="level1"

            --level1
            Content-Type: multipart/alternative; boundary="alt"

            --alt
            Content-Type: text/plain

            plain
            --alt
            Content-Type: text/html

            <p>html</p>
            --alt--
            --level1
            Content-Type: multipart/mixed; boundary="level2"

            --level2
            Content-Type: application/octet-stream; name="deep.com"
            Content-Transfer-Encoding: base64

            %s
            --level2--
            --level1--
            """.formatted(EICAR_BASE64);
    }

    /** A non-MIME message whose body carries uuencoded files, as mail before MIME did. */
    static String uuencoded(byte[]... files) {
        StringBuilder body = new StringBuilder("Here are the files.\n\n");
        int n = 0;
        for (byte[] file : files) {
            n++;
            body.append(uuencode("file" + n + ".com", file)).append("\ntext between the files\n\n");
        }
        return plain(body.toString());
    }

    public static String uuencode(String name, byte[] data) {
        StringBuilder out = new StringBuilder("begin 644 ").append(name).append('\n');
        for (int offset = 0; offset < data.length; offset += 45) {
            int length = Math.min(45, data.length - offset);
            out.append(uuChar(length));
            for (int i = 0; i < length; i += 3) {
                int b0 = data[offset + i] & 0xff;
                int b1 = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
                int b2 = i + 2 < length ? data[offset + i + 2] & 0xff : 0;
                out.append(uuChar(b0 >> 2)).append(uuChar(((b0 << 4) | (b1 >> 4)) & 0x3f))
                    .append(uuChar(((b1 << 2) | (b2 >> 6)) & 0x3f)).append(uuChar(b2 & 0x3f));
            }
            out.append('\n');
        }
        return out.append("`\nend\n").toString();
    }

    private static char uuChar(int value) {
        return value == 0 ? '`' : (char) (value + 32);
    }

    /** A multipart/mixed with {@code count} small text parts. */
    static String manyParts(int count) {
        StringBuilder message = new StringBuilder("""
            From: sender@outside.example.net
            To: user@example.com
            Subject: many parts
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="many"

            """);
        for (int i = 0; i < count; i++) {
            message.append("--many\nContent-Type: text/plain\n\npart ").append(i).append('\n');
        }
        return message.append("--many--\n").toString();
    }

    /** {@code depth} multiparts, each inside the previous one, a text at the bottom. */
    static String nestedDeep(int depth) {
        StringBuilder message = new StringBuilder("""
            From: sender@outside.example.net
            To: user@example.com
            Subject: deep
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="d0"

            """);
        for (int i = 1; i < depth; i++) {
            message.append("--d").append(i - 1).append("\nContent-Type: multipart/mixed; boundary=\"d").append(i)
                .append("\"\n\n");
        }
        message.append("--d").append(depth - 1).append("\nContent-Type: text/plain\n\nbottom\n");
        for (int i = depth - 1; i >= 0; i--) {
            message.append("--d").append(i).append("--\n");
        }
        return message.toString();
    }
}
