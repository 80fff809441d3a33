package org.switchboard.spool;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.PerRecipientHeaders;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A queued mail as stored in the spool: what the queue orders and filters by first (due time, priority, name,
 * envelope: read alone at start-up), then state, remote host, attributes (James' JSON form of each value; DSN
 * parameters are attributes), per-recipient headers, and the message octets as received, last.
 */
final class MailRecord {
    private static final byte VERSION = 1;
    private static final int ABSENT = -1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The part of a record the queue keeps in memory for every mail. */
    record Summary(long dueMillis, int priority, String name, String sender, List<String> recipients, long size) {
    }

    /** A mail ready to be stored: its record and the attributes that could be stored (the others are dropped). */
    record Encoded(byte[] bytes, Summary summary, List<Attribute> attributes, int messageOffset, int messageLength) {
    }

    private MailRecord() {
    }

    static Encoded encode(Mail mail, long dueMillis, int priority) throws MessagingException, IOException {
        AttributesJson attributesJson = AttributesJson.of(mail);
        List<Attribute> storable = attributesJson.storable();
        List<String> recipients = mail.getRecipients().stream().map(MailAddress::asString).toList();
        String sender = mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse(null);
        MimeMessage message = mail.getMessage();

        ByteArrayOutputStream buffer = new ByteArrayOutputStream(message == null ? 512 : (int) Math.min(Integer.MAX_VALUE - 8,
            Math.max(0, mail.getMessageSize()) + 1024));
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeByte(VERSION);
        out.writeLong(dueMillis);
        out.writeByte(priority);
        writeString(out, mail.getName());
        writeString(out, sender);
        out.writeInt(recipients.size());
        for (String recipient : recipients) {
            writeString(out, recipient);
        }
        writeString(out, mail.getState());
        writeString(out, mail.getErrorMessage());
        writeString(out, mail.getRemoteHost());
        writeString(out, mail.getRemoteAddr());
        out.writeLong(mail.getLastUpdated() == null ? ABSENT : mail.getLastUpdated().getTime());
        out.writeInt(storable.size());
        for (int i = 0; i < storable.size(); i++) {
            writeString(out, storable.get(i).getName().asString());
            attributesJson.writeJson(i, out);
        }
        PerRecipientHeaders perRecipient = mail.getPerRecipientSpecificHeaders();
        Map<MailAddress, java.util.Collection<PerRecipientHeaders.Header>> headers = perRecipient.getHeadersByRecipient().asMap();
        out.writeInt(headers.size());
        for (Map.Entry<MailAddress, java.util.Collection<PerRecipientHeaders.Header>> entry : headers.entrySet()) {
            writeString(out, entry.getKey().asString());
            out.writeInt(entry.getValue().size());
            for (PerRecipientHeaders.Header header : entry.getValue()) {
                writeString(out, header.getName());
                writeString(out, header.getValue());
            }
        }
        int lengthPosition = out.size();
        out.writeInt(ABSENT);
        int messageOffset = out.size();
        writeMessage(message, out);
        out.flush();
        byte[] bytes = buffer.toByteArray();
        int messageLength = message == null ? ABSENT : bytes.length - messageOffset;
        putInt(bytes, lengthPosition, messageLength);
        Summary summary = new Summary(dueMillis, priority, mail.getName(), sender, recipients, bytes.length);
        return new Encoded(bytes, summary, storable, messageOffset, messageLength);
    }

    /**
     * The octets of {@code message}: an unchanged message read from a source (as received, or a record) is copied from
     * it; {@link MimeMessage#writeTo} would parse its headers again first.
     */
    private static void writeMessage(MimeMessage message, DataOutputStream out) throws IOException, MessagingException {
        if (message instanceof MimeMessageWrapper wrapper && !wrapper.isModified()) {
            try (InputStream in = wrapper.getMessageInputStream()) {
                in.transferTo(out);
            }
        } else if (message != null) {
            message.writeTo(out);
        }
    }

    static Summary summary(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        checkVersion(in);
        long due = in.readLong();
        int priority = in.readByte();
        String name = readString(in);
        String sender = readString(in);
        int count = in.readInt();
        List<String> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            recipients.add(readString(in));
        }
        return new Summary(due, priority, name, sender, recipients, record.length);
    }

    /** The mail stored in {@code record}; its message reads the record's octets (no copy). */
    static MailImpl decode(byte[] record, String sourceId) throws IOException, MessagingException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        checkVersion(in);
        in.readLong();
        in.readByte();
        MailImpl.Builder builder = MailImpl.builder().name(readString(in));
        String sender = readString(in);
        builder.sender(sender == null ? MaybeSender.nullSender() : MaybeSender.of(address(sender)));
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            builder.addRecipient(address(readString(in)));
        }
        builder.state(readString(in))
            .errorMessage(readString(in))
            .remoteHost(readString(in))
            .remoteAddr(readString(in));
        long lastUpdated = in.readLong();
        if (lastUpdated != ABSENT) {
            builder.lastUpdated(new Date(lastUpdated));
        }
        int attributes = in.readInt();
        for (int i = 0; i < attributes; i++) {
            AttributeName name = AttributeName.of(readString(in));
            builder.addAttribute(new Attribute(name, AttributeValue.fromJsonString(readString(in))));
        }
        int recipientsWithHeaders = in.readInt();
        for (int i = 0; i < recipientsWithHeaders; i++) {
            MailAddress recipient = address(readString(in));
            int headers = in.readInt();
            for (int j = 0; j < headers; j++) {
                builder.addHeaderForRecipient(PerRecipientHeaders.Header.builder().name(readString(in)).value(readString(in)).build(),
                    recipient);
            }
        }
        int messageLength = in.readInt();
        int messageOffset = record.length - in.available();
        MailImpl mail = builder.build();
        if (messageLength != ABSENT) {
            mail.setMessageContent(new RecordMessageSource(sourceId, record, messageOffset, messageLength));
        }
        return mail;
    }

    /** A mail built from the original at enqueue time, equal to what {@link #decode} would give. */
    static MailImpl copyOf(Mail mail, Encoded encoded, String sourceId) throws MessagingException {
        MailImpl.Builder builder = MailImpl.builder().name(mail.getName())
            .sender(mail.getMaybeSender())
            .addRecipients(mail.getRecipients())
            .state(mail.getState())
            .errorMessage(mail.getErrorMessage())
            .remoteHost(mail.getRemoteHost())
            .remoteAddr(mail.getRemoteAddr())
            .lastUpdated(mail.getLastUpdated())
            .addAllHeadersForRecipients(mail.getPerRecipientSpecificHeaders());
        encoded.attributes().forEach(attribute -> builder.addAttribute(attribute.duplicate()));
        MailImpl copy = builder.build();
        if (encoded.messageLength() != ABSENT) {
            copy.setMessageContent(new RecordMessageSource(sourceId, encoded.bytes(), encoded.messageOffset(),
                encoded.messageLength()));
        }
        return copy;
    }

    private static MailAddress address(String value) throws IOException {
        try {
            return new MailAddress(value);
        } catch (AddressException e) {
            throw new IOException("Spool record with an unusable address '" + value + "': " + e.getMessage(), e);
        }
    }

    private static void checkVersion(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("Spool record of unknown version " + version);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(ABSENT);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == ABSENT) {
            return null;
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void putInt(byte[] bytes, int position, int value) {
        bytes[position] = (byte) (value >>> 24);
        bytes[position + 1] = (byte) (value >>> 16);
        bytes[position + 2] = (byte) (value >>> 8);
        bytes[position + 3] = (byte) value;
    }

    /**
     * The JSON form (James' {@link AttributeValue#toJson}) of each attribute that has one, all written by one
     * generator into one buffer: {@code JsonNode.toString} per attribute set up a writer and a generator each time.
     * Values without a JSON form (ofUnserializable) cannot survive a restart: they are not kept in memory either.
     */
    private record AttributesJson(List<Attribute> storable, byte[] json, int[] ends) {
        static AttributesJson of(Mail mail) throws IOException {
            List<Attribute> storable = new ArrayList<>();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
            List<Integer> ends = new ArrayList<>();
            try (JsonGenerator generator = JSON.createGenerator(buffer)) {
                generator.setRootValueSeparator(null);
                for (Attribute attribute : mail.attributes().toList()) {
                    Optional<JsonNode> json = attribute.getValue().toJson();
                    if (json.isPresent()) {
                        generator.writeTree(json.get());
                        generator.flush();
                        storable.add(attribute);
                        ends.add(buffer.size());
                    }
                }
            }
            return new AttributesJson(storable, buffer.toByteArray(), ends.stream().mapToInt(Integer::intValue).toArray());
        }

        /** The JSON of the {@code index}th storable attribute, as {@link #writeString} writes a string. */
        void writeJson(int index, DataOutputStream out) throws IOException {
            int start = index == 0 ? 0 : ends[index - 1];
            out.writeInt(ends[index] - start);
            out.write(json, start, ends[index] - start);
        }
    }

    /** The message octets inside a record. */
    private record RecordMessageSource(String sourceId, byte[] record, int offset, int length) implements MimeMessageSource {
        @Override
        public String getSourceId() {
            return sourceId;
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(record, offset, length);
        }

        @Override
        public long getMessageSize() {
            return length;
        }
    }
}
