package org.switchboard.server.smtpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeUtility;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * Makes a message fit a peer that does not announce 8BITMIME (RFC 6152 section 3, RFC 1652): each body part holding
 * 8-bit octets (or declared {@code 8bit} or {@code binary}) is encoded again, text as quoted-printable and anything
 * else as base64, multiparts and attached messages walked. Header fields are written as they came, but for the
 * converted parts' {@code Content-Transfer-Encoding} and a {@code 7bit} one on the multiparts and messages around
 * them that declared {@code 8bit} or {@code binary}.
 *
 * <p>What cannot be converted is refused ({@link NotConvertible}), never sent as it is: 8-bit octets in a header field
 * (RFC 6532 UTF-8 headers have no 7-bit form), in a preamble or epilogue, in a part that says it is base64 or
 * quoted-printable already, in a {@code message/*} part (RFC 2046 allows it no encoding), and any change inside a
 * {@code multipart/signed} (RFC 1847: the signature covers the octets, so converting would break it).
 */
final class SevenBitConversion {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final String TRANSFER_ENCODING = "Content-Transfer-Encoding";
    private static final MimeConfig PARSING = new MimeConfig.Builder()
        .setMaxLineLen(-1)
        .setMaxHeaderLen(-1)
        .setMaxHeaderCount(-1)
        .build();

    /** Why a message cannot be converted to 7 bit; the reason ends up in the bounce. */
    static final class NotConvertible extends MimeException {
        NotConvertible(String reason) {
            super(reason);
        }
    }

    private SevenBitConversion() {
    }

    /** Whether the octets include any with the high bit set. */
    static boolean has8Bit(byte[] octets) {
        for (byte octet : octets) {
            if (octet < 0) {
                return true;
            }
        }
        return false;
    }

    /** The converted message, or empty when it has nothing to convert (it may go as it is). */
    static Optional<byte[]> convert(InputStream message) throws IOException, NotConvertible {
        Converter converter = new Converter();
        MimeStreamParser parser = new MimeStreamParser(PARSING);
        parser.setContentHandler(converter);
        parser.setRecurse();
        try {
            parser.parse(message);
        } catch (NotConvertible e) {
            throw e;
        } catch (MimeException e) {
            throw new NotConvertible("the message is not readable MIME: " + e.getMessage());
        }
        return converter.changed ? Optional.of(converter.out.toByteArray()) : Optional.empty();
    }

    /** A multipart being written: its boundary, and whether it lies in a signed part (nothing may change there). */
    private static final class Multipart {
        private final String boundary;
        private final boolean signed;
        /** Whether its close delimiter is written (the parser reports the epilogue, if any, before the end). */
        private boolean closed;

        private Multipart(String boundary, boolean signed) {
            this.boundary = boundary;
            this.signed = signed;
        }
    }

    /** Writes the message again as the parser reads it, converting its 8-bit parts. */
    private static final class Converter extends AbstractContentHandler {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Deque<Multipart> multiparts = new ArrayDeque<>();
        /** The header of the entity being read, written once its body shows whether it changes. */
        private List<Field> header;
        private boolean changed;

        @Override
        public void startHeader() {
            header = new ArrayList<>();
        }

        @Override
        public void field(Field field) throws NotConvertible {
            if (has8Bit(bytes(field.getRaw()))) {
                throw new NotConvertible("8-bit octets in the header field " + field.getName()
                    + " cannot be converted to 7 bit");
            }
            header.add(field);
        }

        @Override
        public void startMessage() throws NotConvertible {
            // an attached message (message/rfc822): the header of the part that holds it
            writeCompositeHeader();
        }

        @Override
        public void startMultipart(BodyDescriptor body) throws NotConvertible {
            writeCompositeHeader();
            boolean signed = insideSigned() || body.getMimeType().equalsIgnoreCase("multipart/signed");
            multiparts.push(new Multipart(body.getBoundary(), signed));
        }

        @Override
        public void preamble(InputStream preamble) throws IOException, NotConvertible {
            byte[] octets = preamble.readAllBytes();
            if (has8Bit(octets)) {
                throw new NotConvertible("8-bit octets in a multipart preamble cannot be converted to 7 bit");
            }
            out.write(octets);
            out.write(CRLF);
        }

        @Override
        public void startBodyPart() {
            write("--" + multiparts.peek().boundary);
            out.writeBytes(CRLF);
        }

        @Override
        public void endBodyPart() {
            out.writeBytes(CRLF);
        }

        @Override
        public void epilogue(InputStream epilogue) throws IOException, NotConvertible {
            byte[] octets = epilogue.readAllBytes();
            if (has8Bit(octets)) {
                throw new NotConvertible("8-bit octets in a multipart epilogue cannot be converted to 7 bit");
            }
            close(multiparts.peek());
            out.writeBytes(CRLF);
            out.write(octets);
        }

        @Override
        public void endMultipart() {
            close(multiparts.pop());
        }

        private void close(Multipart multipart) {
            if (!multipart.closed) {
                write("--" + multipart.boundary + "--");
                multipart.closed = true;
            }
        }

        @Override
        public void body(BodyDescriptor body, InputStream content) throws IOException, NotConvertible {
            byte[] octets = content.readAllBytes();
            String encoding = body.getTransferEncoding().toLowerCase(Locale.ROOT);
            if (!has8Bit(octets) && !encoding.equals("8bit") && !encoding.equals("binary")) {
                writeHeader(Optional.empty());
                out.write(octets);
                return;
            }
            String type = body.getMimeType().toLowerCase(Locale.ROOT);
            if (!encoding.equals("7bit") && !encoding.equals("8bit") && !encoding.equals("binary")) {
                throw new NotConvertible("8-bit octets in a " + type + " part declared " + encoding);
            }
            if (type.startsWith("message/")) {
                throw new NotConvertible("8-bit octets in a " + type + " part, which no encoding may carry (RFC 2046)");
            }
            refuseInsideSigned(type + " part");
            String newEncoding = type.startsWith("text/") ? "quoted-printable" : "base64";
            writeHeader(Optional.of(newEncoding));
            out.write(encode(octets, newEncoding));
        }

        private static byte[] encode(byte[] octets, String encoding) throws IOException {
            ByteArrayOutputStream encoded = new ByteArrayOutputStream(octets.length * 4 / 3 + 16);
            try (OutputStream encoder = MimeUtility.encode(encoded, encoding)) {
                encoder.write(octets);
            } catch (MessagingException e) {
                throw new IOException("no " + encoding + " encoder", e);
            }
            return encoded.toByteArray();
        }

        /** The header of a multipart or message: {@code 8bit}/{@code binary} become {@code 7bit}, all inside is. */
        private void writeCompositeHeader() throws NotConvertible {
            if (header == null) {
                return;
            }
            boolean eightBit = header.stream()
                .filter(field -> field.getName().equalsIgnoreCase(TRANSFER_ENCODING))
                .map(field -> field.getBody().trim().toLowerCase(Locale.ROOT))
                .anyMatch(value -> value.equals("8bit") || value.equals("binary"));
            if (eightBit) {
                refuseInsideSigned("composite part declared 8bit");
            }
            writeHeader(eightBit ? Optional.of("7bit") : Optional.empty());
        }

        /** Writes the pending header, with {@code Content-Transfer-Encoding} replaced when one is given. */
        private void writeHeader(Optional<String> transferEncoding) {
            boolean replaced = false;
            for (Field field : header) {
                if (transferEncoding.isPresent() && field.getName().equalsIgnoreCase(TRANSFER_ENCODING)) {
                    if (!replaced) {
                        write(TRANSFER_ENCODING + ": " + transferEncoding.get());
                        out.writeBytes(CRLF);
                        replaced = true;
                    }
                    continue;
                }
                out.writeBytes(bytes(field.getRaw()));
                out.writeBytes(CRLF);
            }
            if (transferEncoding.isPresent()) {
                changed = true;
                if (!replaced) {
                    write(TRANSFER_ENCODING + ": " + transferEncoding.get());
                    out.writeBytes(CRLF);
                }
            }
            out.writeBytes(CRLF);
            header = null;
        }

        private boolean insideSigned() {
            return !multiparts.isEmpty() && multiparts.peek().signed;
        }

        private void refuseInsideSigned(String what) throws NotConvertible {
            if (insideSigned()) {
                throw new NotConvertible("8-bit " + what + " inside a multipart/signed: converting it would break "
                    + "the signature (RFC 1847)");
            }
        }

        private void write(String text) {
            out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        }

        private static byte[] bytes(ByteSequence sequence) {
            return sequence.toByteArray();
        }
    }
}
