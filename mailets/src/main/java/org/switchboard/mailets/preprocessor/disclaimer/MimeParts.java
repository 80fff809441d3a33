package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.ContentDisposition;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimeUtility;
import javax.mail.internet.ParseException;

/** Small MIME helpers of the disclaimer mailet: reading a part's type, charset, content, and editing header lines. */
final class MimeParts {
    static final Set<String> KNOWN_ENCODINGS = Set.of("7bit", "8bit", "binary", "quoted-printable", "base64");

    /**
     * Charsets in which every ASCII octet (0x00-0x7F) always is that ASCII character, whatever came before: text in
     * them can be searched for {@code </body>} and extended with ASCII octets without decoding it. Stateful (ISO-2022-*)
     * and wide (UTF-16/32) charsets are not; other charsets take the decode/encode path.
     */
    private static final Set<String> ASCII_TRANSPARENT = Set.of(
        "US-ASCII", "UTF-8", "ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6",
        "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-11", "ISO-8859-13", "ISO-8859-15", "ISO-8859-16",
        "WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254", "WINDOWS-1255", "WINDOWS-1256",
        "WINDOWS-1257", "WINDOWS-1258", "KOI8-R", "KOI8-U", "X-MAC-ROMAN",
        // multi-byte, but trail octets are never below 0x40, so '<', '/', '>' and line ends are always themselves
        "GB2312", "GBK", "GB18030", "BIG5", "BIG5-HKSCS", "SHIFT_JIS", "WINDOWS-31J", "EUC-JP", "EUC-KR",
        "X-WINDOWS-949", "X-EUC-TW", "TIS-620", "X-WINDOWS-874");

    private MimeParts() {
    }

    /** The part's Content-Type; JavaMail gives {@code text/plain} when the header is missing (RFC 2045 default). */
    static ContentType contentType(MimePart part) throws MessagingException {
        String value = part.getContentType();
        try {
            return new ContentType(value == null ? "text/plain" : value);
        } catch (ParseException e) {
            throw new MessagingException("unparsable Content-Type '" + value + "'", e);
        }
    }

    /**
     * The part's Content-Type, or empty when it does not parse: such a part is opaque (never a body, never entered),
     * so one broken attachment header does not keep the rest of the message from being read.
     */
    static Optional<ContentType> contentTypeIfValid(MimePart part) {
        try {
            return Optional.of(contentType(part));
        } catch (MessagingException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Attachments are never given a disclaimer: disposition attachment, or a file name. */
    static boolean isAttachment(MimePart part) throws MessagingException {
        String disposition = part.getHeader("Content-Disposition", null);
        if (disposition != null) {
            try {
                ContentDisposition parsed = new ContentDisposition(disposition);
                if ("attachment".equalsIgnoreCase(parsed.getDisposition()) || parsed.getParameter("filename") != null) {
                    return true;
                }
            } catch (ParseException e) {
                return true;
            }
        }
        return contentType(part).getParameter("name") != null;
    }

    /** The Content-Transfer-Encoding, lower-cased, or empty when the header is missing (7bit). */
    static Optional<String> transferEncoding(MimePart part) throws MessagingException {
        String encoding = part.getEncoding();
        return encoding == null || encoding.isBlank()
            ? Optional.empty()
            : Optional.of(encoding.trim().toLowerCase(Locale.ROOT));
    }

    /** The charset named by the part (US-ASCII when none, RFC 2046), or empty when Java does not know it. */
    static Optional<Charset> charset(ContentType type) {
        String name = type.getParameter("charset");
        if (name == null || name.isBlank()) {
            return Optional.of(StandardCharsets.US_ASCII);
        }
        // Java's own names first: JavaMail's mapping makes us-ascii ISO-8859-1, which would let 8-bit octets
        // into a part that says it has none
        for (String candidate : new String[] {name.trim(), MimeUtility.javaCharset(name.trim())}) {
            try {
                return Optional.of(Charset.forName(candidate));
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                // try JavaMail's name for it
            }
        }
        return Optional.empty();
    }

    static boolean isAsciiTransparent(Charset charset) {
        return ASCII_TRANSPARENT.contains(charset.name().toUpperCase(Locale.ROOT));
    }

    /** The part's content, transfer-decoded, or empty when it is longer than {@code limit} octets. */
    static Optional<byte[]> decodedContent(MimePart part, long limit) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return readAtMost(in, limit);
        }
    }

    static Optional<byte[]> readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > limit) {
                return Optional.empty();
            }
            out.write(buffer, 0, n);
        }
        return Optional.of(out.toByteArray());
    }

    /** The part's header lines as received (folding kept), in order. */
    static List<String> headerLines(MimePart part) throws MessagingException {
        return new ArrayList<>(Collections.list(part.getAllHeaderLines()));
    }

    /**
     * Replaces the first header line named {@code name} (its spelling of the name kept) by {@code name: value} and
     * drops the others; appends the field when there is none.
     */
    static List<String> withField(List<String> lines, String name, String value) {
        List<String> result = new ArrayList<>(lines.size() + 1);
        boolean replaced = false;
        for (String line : lines) {
            if (isField(line, name)) {
                if (!replaced) {
                    String spelling = line.substring(0, line.indexOf(':'));
                    result.add(MimeUtility.fold(0, spelling + ": " + MimeUtility.unfold(value)));
                    replaced = true;
                }
            } else {
                result.add(line);
            }
        }
        if (!replaced) {
            result.add(MimeUtility.fold(0, name + ": " + MimeUtility.unfold(value)));
        }
        return result;
    }

    static boolean hasField(List<String> lines, String name) {
        return lines.stream().anyMatch(line -> isField(line, name));
    }

    static boolean isField(String line, String name) {
        int colon = line.indexOf(':');
        return colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name);
    }
}
