package org.switchboard.mailets.preprocessor.tnef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;
import javax.mail.internet.ParameterList;

/**
 * Finds the TNEF parts of a message: {@code application/ms-tnef} (or {@code application/vnd.ms-tnef}), and
 * {@code application/octet-stream} parts named {@code winmail.dat}, as many mailers label them. Multiparts are
 * searched to a depth of {@value #MAX_DEPTH}; attached messages ({@code message/rfc822}) are documents of their own
 * and are not searched.
 */
final class TnefParts {
    static final int MAX_DEPTH = 32;
    private static final String WINMAIL_DAT = "winmail.dat";

    /** A TNEF part, whether a {@code multipart/signed} encloses it, its position (for the log). */
    record Found(Part part, boolean signed, String position) {
    }

    /** The TNEF parts, and whether the message has a text body of its own (text/plain or text/html inline). */
    record Scan(List<Found> tnef, boolean hasTextBody, boolean tooDeep) {
    }

    private TnefParts() {
    }

    static Scan scan(MimeMessage message) throws MessagingException, IOException {
        List<Found> found = new ArrayList<>();
        boolean[] textBody = {false};
        boolean[] tooDeep = {false};
        walk(message, false, "message", 0, found, textBody, tooDeep);
        return new Scan(List.copyOf(found), textBody[0], tooDeep[0]);
    }

    private static void walk(Part part, boolean signed, String position, int depth, List<Found> found,
                             boolean[] textBody, boolean[] tooDeep) throws MessagingException, IOException {
        String type = baseType(part);
        if (isTnef(part, type)) {
            found.add(new Found(part, signed, position));
            return;
        }
        if (type.startsWith("multipart/")) {
            if (depth >= MAX_DEPTH) {
                tooDeep[0] = true;
                return;
            }
            Object content = part.getContent();
            if (!(content instanceof Multipart multipart)) {
                return;
            }
            boolean signedBelow = signed || type.equals("multipart/signed");
            for (int i = 0; i < multipart.getCount(); i++) {
                walk(multipart.getBodyPart(i), signedBelow, position + "/" + (i + 1), depth + 1, found, textBody,
                    tooDeep);
            }
            return;
        }
        if ((type.equals("text/plain") || type.equals("text/html")) && !isAttachment(part)) {
            textBody[0] = true;
        }
    }

    static boolean isTnef(Part part, String baseType) {
        if (baseType.equals("application/ms-tnef") || baseType.equals("application/vnd.ms-tnef")) {
            return true;
        }
        return baseType.equals("application/octet-stream")
            && fileName(part).map(name -> name.equalsIgnoreCase(WINMAIL_DAT)).orElse(false);
    }

    /** The type/subtype of a part, lower case; {@code text/plain} when absent, and read leniently when malformed. */
    static String baseType(Part part) throws MessagingException {
        String[] header = part.getHeader("Content-Type");
        if (header == null || header.length == 0) {
            return "text/plain";
        }
        String value = header[0];
        int semicolon = value.indexOf(';');
        return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean isAttachment(Part part) {
        try {
            return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        } catch (MessagingException malformed) {
            return false;
        }
    }

    /** The part's file name (Content-Disposition filename, else Content-Type name), decoded; empty if none. */
    static Optional<String> fileName(Part part) {
        return parameter(part, "Content-Disposition", "filename").or(() -> parameter(part, "Content-Type", "name"));
    }

    private static Optional<String> parameter(Part part, String headerName, String parameterName) {
        String[] header = header(part, headerName);
        if (header == null || header.length == 0 || header[0].indexOf(';') < 0) {
            return Optional.empty();
        }
        try {
            String value = new ParameterList(header[0].substring(header[0].indexOf(';'))).get(parameterName);
            return Optional.ofNullable(value).map(TnefParts::decodeWords).map(String::trim);
        } catch (MessagingException malformed) {
            // a malformed parameter list names nothing
            return Optional.empty();
        }
    }

    private static String[] header(Part part, String name) {
        try {
            return part.getHeader(name);
        } catch (MessagingException e) {
            return null;
        }
    }

    private static String decodeWords(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (IOException | RuntimeException e) {
            return value;
        }
    }

    /**
     * The decoded content of a part, or empty when it is longer than {@code limit} bytes. Read with a plain loop:
     * JavaMail 1.6's BASE64DecoderStream answers a read of 0 bytes with -1, which ends the JDK's
     * {@code readNBytes}/{@code readAllBytes} after their first 8192 bytes.
     */
    static Optional<byte[]> content(Part part, long limit) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) != -1) {
                out.write(buffer, 0, n);
                if (out.size() > limit) {
                    return Optional.empty();
                }
            }
            return Optional.of(out.toByteArray());
        }
    }
}
