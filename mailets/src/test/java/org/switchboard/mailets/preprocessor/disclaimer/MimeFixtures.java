package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimePartDataSource;
import javax.mail.internet.MimeUtility;

import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.base.test.FakeMail;

/**
 * Test messages: the real ones of the test data (as SMTP delivers them, CRLF), and what a reader sees of them. Public
 * where the integration tests use it through this module's test-jar.
 */
public final class MimeFixtures {
    private MimeFixtures() {
    }

    /** A message of src/test/resources/mime with CRLF line ends (SMTP's). */
    public static byte[] resource(String name) {
        try (InputStream in = MimeFixtures.class.getResourceAsStream("/mime/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test message " + name);
            }
            return crlf(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] crlf(byte[] message) {
        return new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] crlf(String message) {
        return crlf(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The message as James holds a received one: a MimeMessageWrapper on its octets. */
    static MimeMessageWrapper wrapper(byte[] octets) throws MessagingException {
        return new MimeMessageWrapper(MimeMessageInputStreamSource.create("test", new ByteArrayInputStream(octets)));
    }

    static FakeMail mail(byte[] octets) throws MessagingException {
        return FakeMail.builder().name("mail1").sender("sender@example.com").recipient("rcpt@example.com")
            .mimeMessage(wrapper(octets)).build();
    }

    /**
     * The message's octets as the server writes them: header lines one octet per char, then the body as held.
     * (James 3.8.1's own MimeMessageWrapper.writeTo turns raw 8-bit header octets into '?'; the server replaces
     * that class, the unit tests do not have the replacement.)
     */
    static byte[] octets(MimeMessage message) throws MessagingException, IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : Collections.list(message.getAllHeaderLines())) {
            out.write(line.getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[] {'\r', '\n'});
        }
        out.write(new byte[] {'\r', '\n'});
        try (InputStream body = message.getRawInputStream()) {
            body.transferTo(out);
        }
        return out.toByteArray();
    }

    /** A fresh parse, as a reader's mail client does. */
    public static MimeMessage parse(byte[] octets) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(octets));
    }

    /** A leaf part: its type and its content, transfer-decoded. */
    public record Leaf(String contentType, byte[] content) {
        public String text() {
            try {
                ContentType type = new ContentType(contentType);
                String charset = type.getParameter("charset");
                return new String(content, Charset.forName(MimeUtility.javaCharset(charset == null ? "us-ascii" : charset)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Every leaf of the MIME tree (attached messages not entered), by IMAP part number ("body" for the message). */
    public static Map<String, Leaf> leaves(MimeMessage message) throws MessagingException, IOException {
        Map<String, Leaf> leaves = new LinkedHashMap<>();
        collect(message, "", leaves);
        return leaves;
    }

    private static void collect(MimePart part, String number, Map<String, Leaf> leaves) throws MessagingException, IOException {
        String type = part.getContentType() == null ? "text/plain" : part.getContentType();
        if (new ContentType(type).match("multipart/*")) {
            MimeMultipart multipart = new MimeMultipart(new MimePartDataSource(part));
            for (int i = 0; i < multipart.getCount(); i++) {
                collect((MimeBodyPart) multipart.getBodyPart(i), (number.isEmpty() ? "" : number + ".") + (i + 1), leaves);
            }
            return;
        }
        try (InputStream in = part.getInputStream()) {
            leaves.put(number.isEmpty() ? "body" : number, new Leaf(type, in.readAllBytes()));
        }
    }

    public static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
