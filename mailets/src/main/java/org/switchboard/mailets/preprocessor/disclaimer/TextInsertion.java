package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeUtility;

import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Range;
import org.jsoup.parser.Parser;
import org.switchboard.mailets.preprocessor.disclaimer.MessageStructure.Target;

/**
 * Puts the disclaimer into one text part: appended to text/plain, inserted before {@code </body>} in text/html.
 *
 * <p>The part's own octets are kept whenever possible: in charsets where ASCII octets are always ASCII characters
 * (UTF-8, ISO-8859-*, windows-125x, Shift_JIS, ...), the disclaimer's octets are added to the decoded content
 * without decoding it; in the others (ISO-2022-JP, UTF-16, ...) the text is decoded strictly and encoded again in
 * the same charset. The charset changes (to UTF-8) only for plain text whose charset cannot represent the disclaimer,
 * and only when the text decodes without error; otherwise the part is refused and the message left as it is. The
 * transfer encoding stays unless the new content does not fit it (8-bit octets or lines over 998 octets in a
 * 7bit part, and so on): then it becomes quoted-printable.
 */
final class TextInsertion {
    private static final int MAX_LINE = 998;
    private static final int FLOWED_WIDTH = 76;
    private static final Pattern PGP_ARMOR = Pattern.compile(
        "(?m)^-----BEGIN PGP (?:SIGNED MESSAGE|MESSAGE)-----");

    /** What became of a part. */
    sealed interface Result {
    }

    /** The part with the disclaimer; {@code alreadyPresent} when its text was already in the part before. */
    record Edited(PartEdit edit, boolean alreadyPresent) implements Result {
    }

    /** The part cannot take the disclaimer safely; {@code untouchable} when it is signed or encrypted (inline PGP). */
    record Refused(String reason, boolean untouchable) implements Result {
    }

    private TextInsertion() {
    }

    // --------------------------------------------------------------------------------------------------- plain

    static Result plain(Target target, DisclaimerText disclaimer, long maxSize) throws MessagingException, IOException {
        Optional<Refused> unusable = unusable(target);
        if (unusable.isPresent()) {
            return unusable.get();
        }
        Optional<byte[]> content = MimeParts.decodedContent(target.part(), maxSize);
        if (content.isEmpty()) {
            return new Refused("text part " + where(target) + " is larger than " + maxSize + " octets", false);
        }
        byte[] original = content.get();
        Charset charset = MimeParts.charset(target.type()).orElseThrow();
        String lenient = new String(original, charset);
        if (PGP_ARMOR.matcher(new String(original, StandardCharsets.ISO_8859_1)).find()
            || PGP_ARMOR.matcher(lenient).find()) {
            return new Refused("inline PGP in part " + where(target), true);
        }
        boolean present = DisclaimerText.normalizeSpace(lenient).contains(disclaimer.plainKey());

        boolean flowed = "flowed".equalsIgnoreCase(target.type().getParameter("format"));
        boolean delSp = "yes".equalsIgnoreCase(target.type().getParameter("delsp"));
        String eol = lineEnd(lenient);
        String addition = separator(lenient, eol) + formatLines(disclaimer.plain(), flowed, delSp, eol) + eol;

        Charset written = charset;
        byte[] result;
        if (MimeParts.isAsciiTransparent(charset) && representable(charset, addition)) {
            result = concat(original, addition.getBytes(charset));
        } else {
            Optional<String> strict = decodeStrictly(original, charset);
            if (strict.isEmpty()) {
                return new Refused("text part " + where(target) + " is not valid " + charset.name()
                    + " and its charset cannot carry the disclaimer", false);
            }
            String text = strict.get() + addition;
            Optional<byte[]> encoded = encodeStrictly(text, charset).filter(octets -> new String(octets, charset).equals(text));
            if (encoded.isEmpty()) {
                written = StandardCharsets.UTF_8;
                encoded = Optional.of(text.getBytes(StandardCharsets.UTF_8));
            }
            result = encoded.get();
        }
        return new Edited(edit(target, original, result, written.equals(charset) ? null : written), present);
    }

    /** The text can be written in the charset and read back the same (no best-fit mapping to a look-alike). */
    private static boolean representable(Charset charset, String text) {
        return encodeStrictly(text, charset).map(octets -> new String(octets, charset).equals(text)).orElse(false);
    }

    /** An empty line between the text and the disclaimer, whatever the text ends with. */
    private static String separator(String text, String eol) {
        if (text.isEmpty() || text.endsWith(eol + eol)) {
            return "";
        }
        return text.endsWith(eol) || text.endsWith("\n") ? eol : eol + eol;
    }

    /**
     * The disclaimer's lines with the part's line end. In format=flowed (RFC 3676) every line is a hard break:
     * trailing spaces removed (but the "-- " signature separator), lines starting with a space, ">" or "From "
     * space-stuffed, long lines wrapped with soft breaks (not with DelSp=yes, where a reader would delete the space
     * the break is made at).
     */
    static String formatLines(String plain, boolean flowed, boolean delSp, String eol) {
        List<String> lines = new ArrayList<>();
        for (String line : plain.split("\n", -1)) {
            if (!flowed) {
                lines.add(line);
            } else if (line.equals("-- ")) {
                lines.add(line);
            } else if (delSp) {
                lines.add(stuff(line.stripTrailing()));
            } else {
                lines.addAll(flow(line.stripTrailing()));
            }
        }
        return String.join(eol, lines);
    }

    private static List<String> flow(String line) {
        List<String> wrapped = new ArrayList<>();
        String rest = line;
        while (rest.length() > FLOWED_WIDTH) {
            int cut = rest.lastIndexOf(' ', FLOWED_WIDTH);
            if (cut <= 0) {
                break;
            }
            wrapped.add(stuff(rest.substring(0, cut + 1)));
            rest = rest.substring(cut + 1);
        }
        wrapped.add(stuff(rest));
        return wrapped;
    }

    private static String stuff(String line) {
        return line.startsWith(" ") || line.startsWith(">") || line.startsWith("From ") ? " " + line : line;
    }

    // ---------------------------------------------------------------------------------------------------- html

    static Result html(Target target, DisclaimerText disclaimer, long maxSize) throws MessagingException, IOException {
        Optional<Refused> unusable = unusable(target);
        if (unusable.isPresent()) {
            return unusable.get();
        }
        Optional<byte[]> content = MimeParts.decodedContent(target.part(), maxSize);
        if (content.isEmpty()) {
            return new Refused("HTML part " + where(target) + " is larger than " + maxSize + " octets", false);
        }
        byte[] original = content.get();
        Charset charset = MimeParts.charset(target.type()).orElseThrow();
        boolean transparent = MimeParts.isAsciiTransparent(charset);
        // in a transparent charset, one char per octet: positions in the text are positions in the octets
        String view;
        if (transparent) {
            view = new String(original, StandardCharsets.ISO_8859_1);
        } else {
            Optional<String> strict = decodeStrictly(original, charset);
            if (strict.isEmpty()) {
                return new Refused("HTML part " + where(target) + " is not valid " + charset.name(), false);
            }
            view = strict.get();
        }
        if (PGP_ARMOR.matcher(view).find()) {
            return new Refused("inline PGP in part " + where(target), true);
        }
        Document document = Parser.htmlParser().setTrackPosition(true).parseInput(view, "");
        String marker = "[" + DisclaimerText.MARKER_ATTRIBUTE + "=\"" + disclaimer.name() + "\"]";
        int before = document.select(marker).size();
        boolean present = before > 0
            && DisclaimerText.normalizeSpace(document.body().text()).contains(disclaimer.htmlKey());

        int at = insertionPoint(document, view.length());
        String eol = lineEnd(view);
        String insertion = at > 0 && view.charAt(at - 1) == '\n' ? disclaimer.html() + eol : disclaimer.html();
        String updated = view.substring(0, at) + insertion + view.substring(at);

        // never break the markup: the disclaimer must come out of a browser's parse as an element of the body
        Document check = Parser.htmlParser().parseInput(updated, "");
        if (check.body().select(marker).size() != before + 1
            || !DisclaimerText.normalizeSpace(check.body().text()).contains(disclaimer.htmlKey())) {
            return new Refused("no place in HTML part " + where(target)
                + " where the disclaimer would show (unclosed comment, script or similar)", false);
        }
        byte[] result;
        if (transparent) {
            result = updated.getBytes(StandardCharsets.ISO_8859_1);
        } else {
            Optional<byte[]> encoded = encodeStrictly(updated, charset);
            if (encoded.isEmpty()) {
                return new Refused("HTML part " + where(target) + " cannot be written back in " + charset.name(), false);
            }
            result = encoded.get();
        }
        return new Edited(edit(target, original, result, null), present);
    }

    /**
     * Where the closing body tag is in the source; else the closing html tag; else the end. Positions come from
     * jsoup's tokenizer, so a "</body>" inside a comment, a script or an attribute is not taken for the tag.
     */
    private static int insertionPoint(Document document, int length) {
        Element body = document.body();
        if (body != null && explicit(body.endSourceRange())) {
            return body.endSourceRange().startPos();
        }
        Element html = document.firstElementChild();
        if (html != null && html.nameIs("html") && explicit(html.endSourceRange())) {
            return html.endSourceRange().startPos();
        }
        return length;
    }

    private static boolean explicit(Range range) {
        return range != null && range.isTracked() && !range.isImplicit() && range.startPos() >= 0;
    }

    // ----------------------------------------------------------------------------------------------- shared

    private static Optional<Refused> unusable(Target target) throws MessagingException {
        Optional<String> encoding = MimeParts.transferEncoding(target.part());
        if (encoding.isPresent() && !MimeParts.KNOWN_ENCODINGS.contains(encoding.get())) {
            return Optional.of(new Refused("part " + where(target) + " has the unknown transfer encoding "
                + encoding.get(), false));
        }
        if (MimeParts.charset(target.type()).isEmpty()) {
            return Optional.of(new Refused("part " + where(target) + " has the unknown charset "
                + target.type().getParameter("charset"), false));
        }
        return Optional.empty();
    }

    /** The part's new header lines and encoded content; {@code newCharset} non-null when the charset changed. */
    private static PartEdit edit(Target target, byte[] original, byte[] decoded, Charset newCharset)
        throws MessagingException, IOException {
        List<String> lines = MimeParts.headerLines(target.part());
        List<String> changes = new ArrayList<>();
        Optional<String> originalEncoding = MimeParts.transferEncoding(target.part());
        String encoding = transferEncodingFor(originalEncoding.orElse("7bit"), original, decoded, newCharset != null);
        boolean newEncoding = !encoding.equals(originalEncoding.orElse("7bit"));
        if ((newCharset != null || newEncoding) && target.path().isEmpty() && !MimeParts.hasField(lines, "MIME-Version")) {
            // a non-MIME message (RFC 822) that now needs MIME headers
            lines.add("MIME-Version: 1.0");
        }
        if (newCharset != null) {
            ContentType type = new ContentType(target.type().toString());
            type.setParameter("charset", newCharset.name());
            lines = MimeParts.withField(lines, "Content-Type", type.toString());
            changes.add("charset " + newCharset.name());
        }
        if (newEncoding) {
            lines = MimeParts.withField(lines, "Content-Transfer-Encoding", encoding);
            changes.add("transfer encoding " + encoding);
        }
        byte[] encoded = encode(decoded, encoding);
        return new PartEdit(target.path(), lines, encoded, decode(encoded, encoding),
            changes.isEmpty() ? "" : " (" + String.join(", ", changes) + ")");
    }

    /**
     * The part's transfer encoding when it can carry the new content, else quoted-printable. A part that already broke
     * its encoding's rules (lines over 998 octets in a 7bit part, say) keeps its encoding as long as the disclaimer
     * does not make it worse, so that such a part is not re-encoded whole for a few lines at its end; a part whose
     * text was re-encoded (new charset) must follow the rules.
     */
    static String transferEncodingFor(String original, byte[] before, byte[] after, boolean reencoded) {
        switch (original) {
            case "base64":
            case "quoted-printable":
            case "binary":
                return original;
            default:
                boolean eightBit = original.equals("8bit");
                String kept = eightBit ? "8bit" : "7bit";
                LineProfile now = LineProfile.of(after);
                if (now.fits(eightBit)) {
                    return kept;
                }
                return !reencoded && now.noWorseThan(LineProfile.of(before), eightBit) ? kept : "quoted-printable";
        }
    }

    /** What RFC 2045 2.7/2.8 ask of 7bit and 8bit content: no NUL, CR only in CRLF, lines of at most 998 octets. */
    private record LineProfile(int longestLine, boolean eightBit, boolean nul, boolean bareCr) {
        static LineProfile of(byte[] content) {
            int longest = 0;
            int line = 0;
            boolean high = false;
            boolean nul = false;
            boolean bareCr = false;
            for (int i = 0; i < content.length; i++) {
                int b = content[i] & 0xFF;
                high |= b >= 0x80;
                nul |= b == 0;
                if (b == '\r' && (i + 1 >= content.length || content[i + 1] != '\n')) {
                    bareCr = true;
                }
                if (b == '\n') {
                    line = 0;
                } else if (b != '\r') {
                    longest = Math.max(longest, ++line);
                }
            }
            return new LineProfile(longest, high, nul, bareCr);
        }

        /** A bare LF is let through: it only comes from a message that had them already (SMTP gives CRLF). */
        boolean fits(boolean eightBitAllowed) {
            return !nul && !bareCr && longestLine <= MAX_LINE && (eightBitAllowed || !eightBit);
        }

        boolean noWorseThan(LineProfile before, boolean eightBitAllowed) {
            return (!nul || before.nul) && (!bareCr || before.bareCr)
                && longestLine <= Math.max(MAX_LINE, before.longestLine)
                && (eightBitAllowed || !eightBit || before.eightBit);
        }
    }

    private static byte[] encode(byte[] decoded, String encoding) throws MessagingException, IOException {
        if (encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary")) {
            return decoded;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(decoded.length * 4 / 3 + 64);
        try (OutputStream encoder = MimeUtility.encode(out, encoding)) {
            encoder.write(decoded);
        }
        byte[] encoded = out.toByteArray();
        // base64 ends its last line without a line break; quoted-printable must not get one (it would be content)
        return encoding.equals("base64") && encoded.length > 0 && encoded[encoded.length - 1] != '\n'
            ? concat(encoded, "\r\n".getBytes(StandardCharsets.US_ASCII))
            : encoded;
    }

    /** What a reader gets back from the encoded content (quoted-printable writes every line end as CRLF). */
    private static byte[] decode(byte[] encoded, String encoding) throws MessagingException, IOException {
        try (InputStream in = MimeUtility.decode(new ByteArrayInputStream(encoded), encoding)) {
            return in.readAllBytes();
        }
    }

    static String lineEnd(String text) {
        int lf = text.indexOf('\n');
        return lf > 0 && text.charAt(lf - 1) == '\r' || lf < 0 ? "\r\n" : "\n";
    }

    static Optional<String> decodeStrictly(byte[] bytes, Charset charset) {
        try {
            return Optional.of(charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> encodeStrictly(String text, Charset charset) {
        if (!charset.canEncode()) {
            return Optional.empty();
        }
        try {
            ByteBuffer buffer = charset.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return Optional.of(bytes);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] result = new byte[a.length + b.length];
        System.arraycopy(a, 0, result, 0, a.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private static String where(Target target) {
        return MessageStructure.describe(target.path());
    }
}
