package org.switchboard.mailets.preprocessor.antivirus;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimeUtility;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans one message: first the whole message as it travels (clamd's own mail parser looks at it too), then every
 * leaf part decoded from its transfer encoding (base64, quoted-printable, uuencode), walking into multiparts and into
 * attached messages ({@code message/rfc822}) at any depth, then the uuencoded files inside plain-text bodies
 * (non-MIME mail). Archives go to clamd as they are: clamd unpacks them.
 *
 * <p>Hostile structure has limits: at most {@value #MAX_PARTS} leaf parts and {@value #MAX_DEPTH} levels of nesting;
 * beyond, the message is reported as not completely scanned. A part whose transfer encoding cannot be decoded is
 * scanned as it stands in the message. Each stream is cut at {@code maxScanSize} bytes (clamd refuses longer ones):
 * the beginning is scanned and the part is reported as too large. Scanning stops at the first virus.
 *
 * <p>Parts are named as IMAP numbers them ({@code part 2.1}): an attached message's parts are numbered below it.
 */
final class MessageScanner {
    static final int MAX_PARTS = 500;
    static final int MAX_DEPTH = 30;
    static final int MAX_UUENCODED_FILES = 20;
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageScanner.class);
    /** A uuencoded file starts with "begin MODE NAME" at the start of a line (POSIX uuencode). */
    private static final Pattern UU_BEGIN = Pattern.compile("begin [0-7]{1,4} +\\S.*");
    /** The longest line start {@link #UU_BEGIN} needs to see. */
    private static final int UU_PROBE = 16;

    private final VirusScanner scanner;
    private final long maxScanSize;

    MessageScanner(VirusScanner scanner, long maxScanSize) {
        this.scanner = scanner;
        this.maxScanSize = maxScanSize;
    }

    ScanReport scan(MimeMessage message, String mailName) throws ScannerUnavailableException {
        Walk walk = new Walk(mailName);
        walk.whole(message);
        if (walk.infection == null) {
            walk.message(message, "", 0);
        }
        return new ScanReport(Optional.ofNullable(walk.infection), walk.unscannable, walk.scans);
    }

    /** The state of one message's scan. */
    private final class Walk {
        private final String mailName;
        private final List<String> unscannable = new ArrayList<>();
        private ScanReport.Finding infection;
        private int scans;
        private int leaves;
        private boolean tooManyParts;
        private boolean tooDeep;

        Walk(String mailName) {
            this.mailName = mailName;
        }

        void whole(MimeMessage message) throws ScannerUnavailableException {
            InputStream raw;
            try {
                raw = rawMessage(message);
            } catch (IOException | MessagingException | RuntimeException e) {
                unscannable.add("the message cannot be read: " + e);
                return;
            }
            ScanInput input = new ScanInput(raw, maxScanSize);
            scanUnit(input, "the whole message");
            if (input.failure() != null) {
                unscannable.add("the message cannot be read completely: " + input.failure());
            }
        }

        /** A message (the mail, or an attached one): walks down to the leaves. Its single body part is number 1. */
        void message(MimePart message, String prefix, int depth) throws ScannerUnavailableException {
            if (tooDeep(depth)) {
                return;
            }
            Multipart multipart = isMimeType(message, "multipart/*") ? multipart(message) : null;
            if (multipart != null) {
                children(multipart, prefix, depth);
            } else {
                leaf(message, prefix + "1");
            }
        }

        private void children(Multipart multipart, String prefix, int depth) throws ScannerUnavailableException {
            int count = count(multipart, prefix);
            for (int i = 0; i < count && infection == null; i++) {
                MimePart child = bodyPart(multipart, i);
                if (child != null) {
                    child(child, prefix + (i + 1), depth + 1);
                }
            }
        }

        private void child(MimePart child, String number, int depth) throws ScannerUnavailableException {
            if (tooDeep(depth)) {
                return;
            }
            if (isMimeType(child, "multipart/*")) {
                Multipart multipart = multipart(child);
                if (multipart != null) {
                    children(multipart, number + ".", depth);
                    return;
                }
            } else if (isMimeType(child, "message/rfc822")) {
                MimeMessage attached = attachedMessage(child, number);
                if (attached != null) {
                    message(attached, number + ".", depth + 1);
                    return;
                }
            }
            leaf(child, number);
        }

        private boolean tooDeep(int depth) {
            if (depth <= MAX_DEPTH) {
                return false;
            }
            if (!tooDeep) {
                tooDeep = true;
                unscannable.add("parts nested deeper than " + MAX_DEPTH + " levels");
            }
            return true;
        }

        private void leaf(MimePart part, String number) throws ScannerUnavailableException {
            if (++leaves > MAX_PARTS) {
                if (!tooManyParts) {
                    tooManyParts = true;
                    unscannable.add("more than " + MAX_PARTS + " parts");
                }
                return;
            }
            String where = describe(part, number);
            String problem = null;
            try {
                ScanInput decoded = new ScanInput(part.getInputStream(), maxScanSize);
                scanUnit(decoded, where);
                if (decoded.failure() != null) {
                    problem = String.valueOf(decoded.failure());
                }
            } catch (IOException | MessagingException | RuntimeException e) {
                problem = String.valueOf(e);
            }
            if (infection != null) {
                return;
            }
            if (problem != null) {
                // bad base64, an unknown encoding...: clamd gets the bytes as they stand in the message
                LOGGER.info("Anti-virus, mail {}: {} cannot be decoded ({}): scanned as it stands", mailName, where,
                    problem);
                try {
                    ScanInput raw = new ScanInput(rawContent(part), maxScanSize);
                    scanUnit(raw, where + " (undecoded)");
                    if (raw.failure() != null) {
                        unscannable.add(where + " cannot be read: " + raw.failure());
                    }
                } catch (MessagingException | RuntimeException e) {
                    unscannable.add(where + " cannot be read: " + e);
                }
                return;
            }
            if (isMimeType(part, "text/plain")) {
                uuencodedFiles(part, where);
            }
        }

        /** Non-MIME attachments: "begin 644 name" ... "end" blocks in a plain-text body. */
        private void uuencodedFiles(MimePart part, String where) throws ScannerUnavailableException {
            List<Long> starts;
            try (InputStream text = part.getInputStream()) {
                starts = uuencodedStarts(new BufferedInputStream(text), maxScanSize);
            } catch (IOException | MessagingException | RuntimeException e) {
                return; // the text itself was scanned; nothing more to find in it
            }
            int n = 0;
            for (long start : starts) {
                n++;
                try (InputStream text = part.getInputStream()) {
                    text.skipNBytes(start);
                    ScanInput file = new ScanInput(MimeUtility.decode(text, "uuencode"), maxScanSize);
                    scanUnit(file, where + ", uuencoded file " + n);
                    if (file.failure() != null) {
                        LOGGER.info("Anti-virus, mail {}: uuencoded file {} of {} is damaged ({}): its beginning was"
                            + " scanned", mailName, n, where, file.failure());
                    }
                } catch (IOException | MessagingException | RuntimeException e) {
                    LOGGER.info("Anti-virus, mail {}: uuencoded file {} of {} cannot be decoded: {}", mailName, n,
                        where, e.toString());
                }
                if (infection != null) {
                    return;
                }
            }
        }

        private void scanUnit(ScanInput input, String where) throws ScannerUnavailableException {
            if (input.isEmpty()) {
                return;
            }
            scans++;
            VirusScanner.Verdict verdict = scanner.scan(input);
            if (verdict instanceof VirusScanner.Verdict.Infected infected) {
                infection = new ScanReport.Finding(infected.signatures(), where);
            } else if (verdict instanceof VirusScanner.Verdict.Refused refused) {
                unscannable.add(where + ": " + refused.reason());
            }
            if (input.truncated()) {
                unscannable.add(where + " is larger than maxScanSize (" + maxScanSize + " bytes)");
            }
        }

        private Multipart multipart(MimePart part) {
            try {
                Object content = part.getContent();
                return content instanceof Multipart multipart ? multipart : null;
            } catch (IOException | MessagingException | RuntimeException e) {
                LOGGER.info("Anti-virus, mail {}: a multipart cannot be parsed ({}): scanned as one part", mailName,
                    e.toString());
                return null;
            }
        }

        private int count(Multipart multipart, String prefix) {
            try {
                return multipart.getCount();
            } catch (MessagingException | RuntimeException e) {
                unscannable.add("the parts of multipart " + (prefix.isEmpty() ? "body" : prefix) + " cannot be parsed: "
                    + e.getMessage());
                return 0;
            }
        }

        private MimePart bodyPart(Multipart multipart, int index) {
            try {
                return multipart.getBodyPart(index) instanceof MimePart part ? part : null;
            } catch (MessagingException | RuntimeException e) {
                return null;
            }
        }

        private MimeMessage attachedMessage(MimePart part, String number) {
            try {
                Object content = part.getContent();
                return content instanceof MimeMessage message ? message : null;
            } catch (IOException | MessagingException | RuntimeException e) {
                LOGGER.info("Anti-virus, mail {}: attached message {} cannot be parsed ({}): scanned as one part",
                    mailName, number, e.toString());
                return null;
            }
        }
    }

    /** The message as it travels: its header lines, a blank line, its body as received (not decoded). */
    static InputStream rawMessage(MimeMessage message) throws IOException, MessagingException {
        InputStream body;
        try {
            body = message.getRawInputStream();
        } catch (MessagingException builtInMemory) {
            // a message built by a mailet has no raw form until written
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            message.writeTo(written);
            return new ByteArrayInputStream(written.toByteArray());
        }
        StringBuilder headers = new StringBuilder();
        Enumeration<String> lines = message.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            headers.append(lines.nextElement()).append("\r\n");
        }
        headers.append("\r\n");
        String text = headers.toString();
        boolean latin1 = text.chars().allMatch(c -> c <= 0xff);
        byte[] bytes = text.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return new SequenceInputStream(new ByteArrayInputStream(bytes), body);
    }

    private static InputStream rawContent(MimePart part) throws MessagingException {
        if (part instanceof MimeBodyPart bodyPart) {
            return bodyPart.getRawInputStream();
        }
        if (part instanceof MimeMessage message) {
            return message.getRawInputStream();
        }
        throw new MessagingException("no raw content for " + part.getClass().getName());
    }

    /** Offsets of the lines that start a uuencoded file, within the first {@code limit} bytes. */
    static List<Long> uuencodedStarts(InputStream text, long limit) throws IOException {
        List<Long> starts = new ArrayList<>();
        byte[] probe = new byte[UU_PROBE];
        int probeLength = 0;
        long lineStart = 0;
        long position = 0;
        int b;
        while (position < limit && starts.size() < MAX_UUENCODED_FILES && (b = text.read()) >= 0) {
            position++;
            if (b == '\n' || b == '\r') {
                if (probeLength > 0 && startsUuencodedFile(probe, probeLength)) {
                    starts.add(lineStart);
                }
                probeLength = 0;
                lineStart = position;
            } else if (probeLength < UU_PROBE) {
                probe[probeLength++] = (byte) b;
            }
        }
        if (probeLength > 0 && starts.size() < MAX_UUENCODED_FILES && startsUuencodedFile(probe, probeLength)) {
            starts.add(lineStart);
        }
        return starts;
    }

    private static boolean startsUuencodedFile(byte[] probe, int length) {
        return UU_BEGIN.matcher(new String(probe, 0, length, StandardCharsets.ISO_8859_1)).matches();
    }

    private static boolean isMimeType(Part part, String type) {
        try {
            return part.isMimeType(type);
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }

    /** E.g. {@code part 2.1 "eicar.com" (application/octet-stream)}: for logs, notices and error messages. */
    static String describe(MimePart part, String number) {
        StringBuilder where = new StringBuilder("part ").append(number);
        try {
            String name = part.getFileName();
            if (name != null && !name.isBlank()) {
                where.append(" \"").append(ClamdScanner.sanitize(decode(name))).append('"');
            }
        } catch (MessagingException | RuntimeException e) {
            // no usable name
        }
        try {
            String type = part.getContentType();
            if (type != null) {
                String base;
                try {
                    base = new ContentType(type).getBaseType();
                } catch (MessagingException | RuntimeException e) {
                    base = type.split(";", 2)[0];
                }
                where.append(" (").append(ClamdScanner.sanitize(base.toLowerCase(java.util.Locale.ROOT))).append(')');
            }
        } catch (MessagingException | RuntimeException e) {
            // no usable type
        }
        return where.toString();
    }

    private static String decode(String name) {
        try {
            return MimeUtility.decodeText(name);
        } catch (IOException | RuntimeException e) {
            return name;
        }
    }
}
