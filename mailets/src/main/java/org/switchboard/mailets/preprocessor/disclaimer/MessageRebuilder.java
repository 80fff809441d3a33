package org.switchboard.mailets.preprocessor.disclaimer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimePart;

/**
 * Writes the message again with some parts replaced, and nothing else changed.
 *
 * <p>Header lines are written as they were received (folding and spelling kept). A part off the path to a replaced
 * part is copied as its raw octets. A multipart on the path is written by its boundary: its preamble and everything
 * from its closing delimiter on (epilogue) are copied from the raw octets, its children one by one. What changes
 * besides the edited parts: white space after a boundary delimiter (transport padding) is not kept.
 *
 * <p>Why not {@code MimeMessage.saveChanges()} and {@code writeTo}: JavaMail then adds Date and Message-ID to a
 * message without them, writes multipart preambles with the platform's line separator (a bare LF on Linux), drops
 * epilogues, and re-derives Content-Type and Content-Transfer-Encoding of changed parts.
 */
final class MessageRebuilder {
    private static final byte[] CRLF = {'\r', '\n'};
    /** A preamble longer than this is not looked for (the boundary must come early): JavaMail's preamble is used. */
    private static final int MAX_PREAMBLE = 64 * 1024;

    private final MessageStructure structure;
    private final Map<List<Integer>, PartEdit> edits;

    private MessageRebuilder(MessageStructure structure, Map<List<Integer>, PartEdit> edits) {
        this.structure = structure;
        this.edits = edits;
    }

    /** Writes the message of {@code structure} with the header {@code headerLines} and the parts of {@code edits}. */
    static void write(MessageStructure structure, Map<List<Integer>, PartEdit> edits, List<String> headerLines,
                      OutputStream out) throws MessagingException, IOException {
        writeHeader(headerLines, List.of(), out);
        new MessageRebuilder(structure, edits).writeContent(structure.message(), List.of(), out);
    }

    /** A message's header: its lines, the extra lines, the empty line. */
    static void writeHeader(List<String> lines, List<String> extraLines, OutputStream out) throws IOException {
        writeLines(lines, out);
        writeLines(extraLines, out);
        out.write(CRLF);
    }

    private void writeContent(MimePart part, List<Integer> path, OutputStream out) throws MessagingException, IOException {
        PartEdit edit = edits.get(path);
        if (edit != null) {
            out.write(edit.encoded());
            return;
        }
        if (!leadsToEdit(path)) {
            try (InputStream raw = rawContent(part)) {
                raw.transferTo(out);
            }
            return;
        }
        MimeMultipart multipart = structure.multipartAt(path);
        String boundary = MimeParts.contentType(part).getParameter("boundary");
        Frame frame;
        try (InputStream raw = rawContent(part)) {
            frame = Frame.read(raw, boundary);
        }
        if (frame.preamble() != null) {
            out.write(frame.preamble());
        } else if (multipart.getPreamble() != null && !multipart.getPreamble().isEmpty()) {
            out.write(crlfLines(multipart.getPreamble()));
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < multipart.getCount(); i++) {
            List<Integer> childPath = MessageStructure.append(path, i);
            MimePart child = (MimePart) multipart.getBodyPart(i);
            out.write(delimiter);
            out.write(CRLF);
            PartEdit childEdit = edits.get(childPath);
            writeLines(childEdit != null ? childEdit.headerLines() : MimeParts.headerLines(child), out);
            out.write(CRLF);
            writeContent(child, childPath, out);
            out.write(CRLF);
        }
        if (frame.closing() != null) {
            out.write(frame.closing());
        } else {
            out.write(delimiter);
            out.write("--".getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
        }
    }

    private boolean leadsToEdit(List<Integer> path) {
        return edits.keySet().stream()
            .anyMatch(edited -> edited.size() > path.size() && edited.subList(0, path.size()).equals(path));
    }

    private static InputStream rawContent(MimePart part) throws MessagingException {
        if (part instanceof javax.mail.internet.MimeMessage message) {
            return message.getRawInputStream();
        }
        return ((javax.mail.internet.MimeBodyPart) part).getRawInputStream();
    }

    /** Header lines as JavaMail read them: one char per octet (or UTF-8 text when JavaMail was told to allow it). */
    private static void writeLines(List<String> lines, OutputStream out) throws IOException {
        for (String line : lines) {
            boolean octets = line.chars().allMatch(c -> c <= 0xFF);
            out.write(line.getBytes(octets ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
            out.write(CRLF);
        }
    }

    private static byte[] crlfLines(String text) {
        String crlf = text.replace("\r\n", "\n").replace("\n", "\r\n");
        return (crlf.endsWith("\r\n") ? crlf : crlf + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The raw octets of a multipart before its first delimiter line (the preamble, with the line end that ends it)
     * and from its close-delimiter line to the end (close delimiter and epilogue); either null when not found.
     */
    record Frame(byte[] preamble, byte[] closing) {
        static Frame read(InputStream content, String boundary) throws IOException {
            if (boundary == null) {
                return new Frame(null, null);
            }
            byte[] raw = content.readAllBytes();
            byte[] open = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int first = delimiterLine(raw, open, false, 0, Math.min(raw.length, MAX_PREAMBLE));
            if (first < 0) {
                return new Frame(null, null);
            }
            byte[] preamble = java.util.Arrays.copyOfRange(raw, 0, first);
            int close = delimiterLine(raw, open, true, first, raw.length);
            return new Frame(preamble, close < 0 ? null : java.util.Arrays.copyOfRange(raw, close, raw.length));
        }

        /**
         * Where the first line from {@code from} that is the delimiter ("--boundary", or "--boundary--" when
         * {@code closing}) followed only by white space starts, searching lines that start before {@code to}; -1 if
         * none.
         */
        private static int delimiterLine(byte[] raw, byte[] open, boolean closing, int from, int to) {
            int lineStart = from;
            while (lineStart < to) {
                int lineEnd = lineStart;
                while (lineEnd < raw.length && raw[lineEnd] != '\n') {
                    lineEnd++;
                }
                if (isDelimiter(raw, lineStart, lineEnd, open, closing)) {
                    return lineStart;
                }
                lineStart = lineEnd + 1;
            }
            return -1;
        }

        private static boolean isDelimiter(byte[] raw, int start, int end, byte[] open, boolean closing) {
            int length = open.length + (closing ? 2 : 0);
            if (end - start < length || raw[start] != '-') {
                return false;
            }
            for (int i = 0; i < open.length; i++) {
                if (raw[start + i] != open[i]) {
                    return false;
                }
            }
            if (closing && (raw[start + open.length] != '-' || raw[start + open.length + 1] != '-')) {
                return false;
            }
            for (int i = start + length; i < end; i++) {
                if (raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r') {
                    return false;
                }
            }
            return true;
        }
    }
}
