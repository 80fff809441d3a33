package org.switchboard.mailets.preprocessor.tnef;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Text of a TNEF stream (file names): 8-bit strings are in the Windows code page the stream declares
 * (attOemCodepage), which POI ignores (it reads them as CP1252 or ISO-8859-1); and a file name from another system
 * must not carry a path, control characters or nothing at all.
 */
final class FileNames {
    static final Charset FALLBACK = Charset.forName("windows-1252");
    /** A file name longer than this many characters is shortened (its extension kept). */
    static final int MAX_LENGTH = 255;

    private FileNames() {
    }

    /** The Java charset of a Windows code page number; empty when Java has none for it. */
    static Optional<Charset> charsetOf(int codePage) {
        if (codePage == 65001) {
            return Optional.of(StandardCharsets.UTF_8);
        }
        if (codePage == 20127) {
            return Optional.of(StandardCharsets.US_ASCII);
        }
        if (codePage >= 28591 && codePage <= 28599) {
            return lookup("ISO-8859-" + (codePage - 28590));
        }
        if (codePage == 28605) {
            return lookup("ISO-8859-15");
        }
        for (String name : List.of("windows-" + codePage, "x-windows-" + codePage, "Cp" + codePage, "x-IBM" + codePage,
            "IBM" + codePage, "MS" + codePage, "x-mswin-" + codePage)) {
            Optional<Charset> charset = lookup(name);
            if (charset.isPresent()) {
                return charset;
            }
        }
        return Optional.empty();
    }

    private static Optional<Charset> lookup(String name) {
        try {
            return Charset.isSupported(name) ? Optional.of(Charset.forName(name)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Decodes an 8-bit string in {@code charset}, up to its first NUL; bytes that are not text in that charset
     * fall back to windows-1252, which maps (nearly) every byte.
     */
    static String decode8bit(byte[] bytes, Charset charset) {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        try {
            return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, length))
                .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, 0, length, FALLBACK);
        }
    }

    /**
     * A safe file name: the last component of a Windows or Unix path, without control characters, trimmed, at most
     * {@value #MAX_LENGTH} characters; empty when nothing is left (or only dots).
     */
    static Optional<String> sanitize(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String name = raw;
        int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (cut >= 0) {
            name = name.substring(cut + 1);
        }
        StringBuilder clean = new StringBuilder(name.length());
        name.codePoints()
            .filter(c -> !Character.isISOControl(c) && c != 0xFFFD && Character.getType(c) != Character.FORMAT)
            .forEach(clean::appendCodePoint);
        name = clean.toString().strip();
        if (name.isEmpty() || name.chars().allMatch(c -> c == '.')) {
            return Optional.empty();
        }
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            name = shorten(name);
        }
        return Optional.of(name);
    }

    private static String shorten(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
        int keep = MAX_LENGTH - extension.codePointCount(0, extension.length());
        return name.substring(0, name.offsetByCodePoints(0, keep)) + extension;
    }
}
