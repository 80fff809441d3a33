package org.switchboard.mailets.preprocessor.tnef;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.activation.DataHandler;
import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.util.ByteArrayDataSource;

/**
 * The TNEF test streams of src/test/resources/tnef with what Debian's {@code tnef -K} extracts from them, and test
 * messages carrying them, built with JavaMail and parsed back from their bytes as a server sees them. Public: the
 * integration tests use them through this module's test-jar.
 */
public final class TnefMessages {
    static final Session SESSION = Session.getInstance(new Properties());

    private TnefMessages() {
    }

    /** One line of expected-attachments.tsv: a file {@code tnef -K} extracts from a stream. */
    public record Expected(String file, String name, String nameHex, long size, String sha256) {
    }

    /** A test stream (or expected-attachments.tsv) of src/test/resources/tnef. */
    public static byte[] resource(String name) {
        try (InputStream in = TnefMessages.class.getResourceAsStream("/tnef/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource tnef/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Expected> expected() {
        List<Expected> rows = new ArrayList<>();
        String[] lines = new String(resource("expected-attachments.tsv"), StandardCharsets.UTF_8).split("\n");
        for (String line : List.of(lines).subList(1, lines.length)) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            rows.add(new Expected(cells[0], cells[1], cells[2], Long.parseLong(cells[3]), cells[4]));
        }
        return rows;
    }

    /** The streams {@code tnef -K} extracts at least one file from. */
    public static List<String> streamsWithFiles() {
        return expected().stream().map(Expected::file).distinct().toList();
    }

    /** What {@code tnef -K} extracts from this stream: file name to "size sha256", in its order. */
    public static Map<String, String> expectedFiles(String stream) {
        Map<String, String> files = new LinkedHashMap<>();
        expected().stream().filter(row -> row.file().equals(stream))
            .forEach(row -> files.put(row.name(), row.size() + " " + row.sha256()));
        return files;
    }

    /** The attachments of a message or part: file name to "size sha256" of the decoded content, depth first. */
    public static Map<String, String> files(Part part) throws MessagingException, IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (BodyPart attachment : attachments(part)) {
            byte[] data = content(attachment);
            files.put(attachment.getFileName(), data.length + " " + sha256(data));
        }
        return files;
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static MimeBodyPart text(String text) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, "utf-8");
        return part;
    }

    static MimeBodyPart tnefPart(byte[] tnef, String contentType, String fileName) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(tnef, contentType)));
        part.setFileName(fileName);
        part.setDisposition(Part.ATTACHMENT);
        part.setHeader("Content-Transfer-Encoding", "base64");
        return part;
    }

    /** A multipart/mixed Outlook-style message: a text part, then the TNEF stream as winmail.dat. */
    static MimeMessage withWinmailDat(byte[] tnef) throws MessagingException {
        return message(text("Hello, the files are attached.\n"), tnefPart(tnef, "application/ms-tnef", "winmail.dat"));
    }

    static MimeMessage message(MimeBodyPart... parts) throws MessagingException {
        MimeMultipart mixed = new MimeMultipart("mixed");
        for (MimeBodyPart part : parts) {
            mixed.addBodyPart(part);
        }
        return messageWith(mixed);
    }

    static MimeMessage messageWith(Object content) throws MessagingException {
        MimeMessage message = new MimeMessage(SESSION);
        message.setHeader("From", "\"Peter Chan\" <peter@outside.example.net>");
        message.setHeader("To", "user@example.com");
        message.setHeader("Cc", "other@example.com");
        message.setSubject("Quarterly figures", "utf-8");
        message.setHeader("Date", "Mon, 25 Apr 2005 10:15:35 +0200");
        message.setHeader("References", "<earlier@outside.example.net>");
        if (content instanceof Multipart multipart) {
            message.setContent(multipart);
        }
        message.saveChanges();
        message.setHeader("Message-ID", "<original.1@outside.example.net>");
        return reparse(message);
    }

    /** A message whose whole body is the TNEF stream (Content-Type: application/ms-tnef at the top). */
    static MimeMessage tnefOnly(byte[] tnef) throws MessagingException {
        MimeMessage message = new MimeMessage(SESSION);
        message.setHeader("From", "peter@outside.example.net");
        message.setHeader("To", "user@example.com");
        message.setSubject("Bill of Rights");
        message.setDataHandler(new DataHandler(new ByteArrayDataSource(tnef, "application/ms-tnef")));
        message.setHeader("Content-Transfer-Encoding", "base64");
        message.saveChanges();
        message.setHeader("Message-ID", "<tnef-only@outside.example.net>");
        return reparse(message);
    }

    static MimeMessage reparse(MimeMessage message) throws MessagingException {
        return parse(bytes(message));
    }

    public static MimeMessage parse(byte[] raw) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(raw));
    }

    static byte[] bytes(MimeMessage message) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(MimeMessage message) {
        return new String(bytes(message), StandardCharsets.ISO_8859_1);
    }

    /** The attachment parts of a message, depth first. */
    public static List<BodyPart> attachments(Part part) throws MessagingException, IOException {
        List<BodyPart> found = new ArrayList<>();
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                if (Part.ATTACHMENT.equalsIgnoreCase(child.getDisposition())) {
                    found.add(child);
                } else {
                    found.addAll(attachments(child));
                }
            }
        }
        return found;
    }

    /** A part's decoded content (not readAllBytes: JavaMail's BASE64DecoderStream stops it at 8192 bytes). */
    public static byte[] content(Part part) throws MessagingException, IOException {
        return TnefParts.content(part, Long.MAX_VALUE).orElseThrow();
    }
}
