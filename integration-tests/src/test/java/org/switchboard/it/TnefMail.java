package org.switchboard.it;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

/** TNEF test messages for the end-to-end tests, and reading back what the server delivered. */
public final class TnefMail {
    private static final Session SESSION = Session.getInstance(new Properties());

    private TnefMail() {
    }

    /** A test stream from src/test/resources/tnef (copied from the shared test data; provenance in its README). */
    public static byte[] resource(String name) {
        try (InputStream in = TnefMail.class.getResourceAsStream("/tnef/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource tnef/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** expected-attachments.tsv: for each stream, its files as Debian's tnef -K extracts them (name -> size sha256). */
    public static Map<String, Map<String, String>> expected() {
        Map<String, Map<String, String>> expected = new LinkedHashMap<>();
        String[] lines = new String(resource("expected-attachments.tsv"), StandardCharsets.UTF_8).split("\n");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = lines[i].split("\t", -1);
            expected.computeIfAbsent(cells[0], k -> new LinkedHashMap<>()).put(cells[1], cells[3] + " " + cells[4]);
        }
        return expected;
    }

    /**
     * An Outlook-style message as raw CRLF bytes: a text part, then the stream as winmail.dat (application/ms-tnef,
     * base64), written by hand so the test knows every byte it sends.
     */
    public static byte[] messageWithWinmailDat(String from, String to, String subject, String messageId, byte[] tnef) {
        String boundary = "=_tnef_test_boundary_" + Math.abs(messageId.hashCode());
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(from).append("\r\n")
            .append("To: ").append(to).append("\r\n")
            .append("Subject: ").append(subject).append("\r\n")
            .append("Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n")
            .append("Message-ID: ").append(messageId).append("\r\n")
            .append("MIME-Version: 1.0\r\n")
            .append("Content-Type: multipart/mixed; boundary=\"").append(boundary).append("\"\r\n")
            .append("\r\n")
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n")
            .append("\r\n")
            .append("The files are in the attachment.\r\n")
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\n")
            .append("Content-Transfer-Encoding: base64\r\n")
            .append("Content-Disposition: attachment; filename=\"winmail.dat\"\r\n")
            .append("\r\n");
        String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(tnef);
        m.append(base64).append("\r\n")
            .append("--").append(boundary).append("--\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static MimeMessage parse(byte[] raw) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(raw));
    }

    /** The attachment parts of a message (Content-Disposition: attachment), depth first. */
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

    /** File name -> "size sha256" of every attachment. */
    public static Map<String, String> files(Part part) throws MessagingException, IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (BodyPart attachment : attachments(part)) {
            byte[] data = content(attachment);
            files.put(attachment.getFileName(), data.length + " " + sha256(data));
        }
        return files;
    }

    /** Decoded content, read with a plain loop (JavaMail's base64 stream ends readAllBytes after 8192 bytes). */
    public static byte[] content(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) != -1) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
