package org.switchboard.mailets.preprocessor.tnef;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The framing of a TNEF stream, checked before anything is decoded: signature, then attributes of the form
 * {@code level(1) id(2) type(2) length(4) data(length) checksum(2)}, little-endian.
 *
 * <p>POI's {@code HMEFMessage} fails on any byte after the last attribute other than CR or LF, reads every length it
 * is given, and never checks the checksums; this pass decides what of a stream is usable so that POI only ever sees a
 * well-formed prefix, and it measures the attachment data before POI allocates any of it.
 */
final class TnefFraming {
    static final int SIGNATURE = 0x223E9F78;
    static final int LEVEL_MESSAGE = 1;
    static final int LEVEL_ATTACHMENT = 2;
    /** attAttachData: the bytes of an attached file. */
    static final int ID_ATTACH_DATA = 0x800F;
    private static final int HEADER_LENGTH = 6;
    private static final int ATTRIBUTE_OVERHEAD = 11;

    /** attMAPIProps: the message's MAPI properties (bodies among them). */
    static final int ID_MAPI_PROPERTIES = 0x9003;
    /** attBody: the message's plain text body. */
    static final int ID_BODY = 0x800C;

    /** One complete attribute: its level, id, and where it lies in the stream (level byte to checksum). */
    record Span(int level, int id, int start, int end) {
    }

    /**
     * A usable stream: {@code spans} are its complete attributes, {@code validLength} bytes in all; the
     * {@code trailingBytes} after them are ignored.
     */
    record Frame(byte[] data, List<Span> spans, int validLength, long attachmentDataBytes, int badChecksums,
                 int trailingBytes, boolean trailingGarbage) {

        /** The signature and key, then the attributes {@code keep} accepts, in their order: a stream for POI. */
        byte[] streamOf(Predicate<Span> keep) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(validLength);
            out.write(data, 0, HEADER_LENGTH);
            for (Span span : spans) {
                if (keep.test(span)) {
                    out.write(data, span.start(), span.end() - span.start());
                }
            }
            return out.toByteArray();
        }

        boolean hasAttachments() {
            return spans.stream().anyMatch(span -> span.level() == LEVEL_ATTACHMENT);
        }
    }

    /** Why a stream is not usable at all. */
    static final class InvalidTnefException extends Exception {
        InvalidTnefException(String message) {
            super(message);
        }
    }

    private TnefFraming() {
    }

    /**
     * Checks the framing of {@code data}. An attribute cut short by the end of the data (a truncated stream), a wrong
     * signature or a stream without any attribute is invalid. Bytes after the last complete attribute that do not
     * start one (a level other than 1 or 2: trailing line ends, padding, junk) end the stream: what came before is
     * kept. A checksum that does not match its data is counted, not fatal (as {@code tnef -K} and Outlook itself).
     */
    static Frame check(byte[] data) throws InvalidTnefException {
        if (data.length < HEADER_LENGTH) {
            throw new InvalidTnefException("too short for a TNEF stream (" + data.length + " bytes)");
        }
        int signature = readInt(data, 0);
        if (signature != SIGNATURE) {
            throw new InvalidTnefException(String.format("not a TNEF stream: signature 0x%08X, expected 0x%08X",
                signature, SIGNATURE));
        }
        int position = HEADER_LENGTH;
        List<Span> spans = new ArrayList<>();
        long attachmentData = 0;
        int badChecksums = 0;
        while (position < data.length) {
            int level = data[position] & 0xFF;
            if (level != LEVEL_MESSAGE && level != LEVEL_ATTACHMENT) {
                break;
            }
            if (data.length - position < ATTRIBUTE_OVERHEAD) {
                throw new InvalidTnefException("truncated: attribute header at offset " + position
                    + " cut by the end of the stream");
            }
            int id = readUnsignedShort(data, position + 1);
            long length = readInt(data, position + 5) & 0xFFFFFFFFL;
            long end = position + 9L + length + 2L;
            if (end > data.length) {
                throw new InvalidTnefException(String.format(
                    "truncated: attribute 0x%04X at offset %d declares %d bytes, %d remain", id, position, length,
                    data.length - position - ATTRIBUTE_OVERHEAD));
            }
            int dataStart = position + 9;
            int checksum = readUnsignedShort(data, dataStart + (int) length);
            if (checksum(data, dataStart, (int) length) != checksum) {
                badChecksums++;
            }
            if (level == LEVEL_ATTACHMENT && id == ID_ATTACH_DATA) {
                attachmentData += length;
            }
            spans.add(new Span(level, id, position, (int) end));
            position = (int) end;
        }
        if (spans.isEmpty()) {
            throw new InvalidTnefException("no TNEF attribute after the signature");
        }
        int trailing = data.length - position;
        return new Frame(data, List.copyOf(spans), position, attachmentData, badChecksums, trailing,
            trailing > 0 && !onlyLineEndsOrPadding(data, position));
    }

    private static boolean onlyLineEndsOrPadding(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            byte b = data[i];
            if (b != '\r' && b != '\n' && b != 0 && b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** TNEF's checksum: the sum of the data bytes, modulo 65536. */
    private static int checksum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += data[i] & 0xFF;
        }
        return sum & 0xFFFF;
    }

    private static int readInt(byte[] data, int offset) {
        return (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8 | (data[offset + 2] & 0xFF) << 16
            | (data[offset + 3] & 0xFF) << 24;
    }

    private static int readUnsignedShort(byte[] data, int offset) {
        return (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8;
    }
}
