package org.switchboard.mailbox.store;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.AttachmentId;
import org.apache.james.mailbox.model.AttachmentMetadata;
import org.apache.james.mailbox.model.Cid;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.Property;
import org.apache.james.mailbox.store.mail.model.impl.Properties;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;

/**
 * The value of a message record (key: mailbox id + UID): everything James' {@link MailboxMessage} needs except the
 * octets, including the MIME properties parsed at append time, so that a FETCH of flags, envelope sizes or body
 * structure never re-parses the message.
 */
final class MessageRecords {
    private static final Flags.Flag[] SYSTEM_FLAGS = {
        Flags.Flag.ANSWERED, Flags.Flag.DELETED, Flags.Flag.DRAFT, Flags.Flag.FLAGGED, Flags.Flag.RECENT, Flags.Flag.SEEN
    };
    private static final RocksDbMessageId.Factory MESSAGE_IDS = new RocksDbMessageId.Factory();

    private MessageRecords() {
    }

    static byte[] encode(MailboxMessage message) {
        RecordOutput out = new RecordOutput()
            .writeString(message.getMessageId().serialize())
            .writeString(message.getThreadId().serialize())
            .writeLong(message.getModSeq().asLong())
            .writeLong(message.getInternalDate().getTime())
            .writeBoolean(message.getSaveDate().isPresent())
            .writeLong(message.getSaveDate().map(Date::getTime).orElse(0L))
            .writeLong(message.getFullContentOctets())
            .writeLong(message.getFullContentOctets() - message.getBodyOctets());
        writeFlags(out, message.createFlags());
        Long textualLineCount = message.getTextualLineCount();
        out.writeBoolean(textualLineCount != null).writeLong(textualLineCount == null ? 0 : textualLineCount);
        List<Property> properties = message.getProperties().toProperties();
        out.writeInt(properties.size());
        properties.forEach(property -> out.writeString(property.getNamespace())
            .writeString(property.getLocalName())
            .writeString(property.getValue()));
        out.writeInt(message.getAttachments().size());
        message.getAttachments().forEach(attachment -> writeAttachment(out, attachment));
        return out.toByteArray();
    }

    static SimpleMailboxMessage decode(MailboxId mailboxId, MessageUid uid, byte[] value, ContentLoader contents) {
        RecordInput in = new RecordInput(value);
        MessageId messageId = MESSAGE_IDS.fromString(in.readString());
        ThreadId threadId = ThreadId.fromBaseMessageId(MESSAGE_IDS.fromString(in.readString()));
        ModSeq modSeq = ModSeq.of(in.readLong());
        Date internalDate = new Date(in.readLong());
        boolean hasSaveDate = in.readBoolean();
        long saveDate = in.readLong();
        long size = in.readLong();
        int bodyStartOctet = (int) in.readLong();
        Flags flags = readFlags(in);
        boolean hasLineCount = in.readBoolean();
        long lineCount = in.readLong();
        int propertyCount = in.readInt();
        List<Property> properties = new ArrayList<>(propertyCount);
        for (int i = 0; i < propertyCount; i++) {
            properties.add(new Property(in.readString(), in.readString(), in.readString()));
        }
        int attachmentCount = in.readInt();
        List<MessageAttachmentMetadata> attachments = new ArrayList<>(attachmentCount);
        for (int i = 0; i < attachmentCount; i++) {
            attachments.add(readAttachment(in));
        }
        return SimpleMailboxMessage.builder()
            .mailboxId(mailboxId)
            .uid(uid)
            .messageId(messageId)
            .threadId(threadId)
            .modseq(modSeq)
            .internalDate(internalDate)
            .saveDate(hasSaveDate ? Optional.of(new Date(saveDate)) : Optional.empty())
            .size(size)
            .bodyStartOctet(bodyStartOctet)
            .content(contents.contentOf(messageId, size))
            .flags(flags)
            .properties(new Properties(properties, hasLineCount ? lineCount : null))
            .addAttachments(attachments)
            .build();
    }

    /** Loads a message's octets when they are read, not when its record is. */
    interface ContentLoader {
        Content contentOf(MessageId messageId, long size);
    }

    static void writeFlags(RecordOutput out, Flags flags) {
        int systemFlags = 0;
        for (int i = 0; i < SYSTEM_FLAGS.length; i++) {
            if (flags.contains(SYSTEM_FLAGS[i])) {
                systemFlags |= 1 << i;
            }
        }
        String[] userFlags = flags.getUserFlags();
        out.writeInt(systemFlags).writeInt(userFlags.length);
        for (String userFlag : userFlags) {
            out.writeString(userFlag);
        }
    }

    static Flags readFlags(RecordInput in) {
        Flags flags = new Flags();
        int systemFlags = in.readInt();
        for (int i = 0; i < SYSTEM_FLAGS.length; i++) {
            if ((systemFlags & (1 << i)) != 0) {
                flags.add(SYSTEM_FLAGS[i]);
            }
        }
        int userFlagCount = in.readInt();
        for (int i = 0; i < userFlagCount; i++) {
            flags.add(in.readString());
        }
        return flags;
    }

    private static void writeAttachment(RecordOutput out, MessageAttachmentMetadata attachment) {
        AttachmentRecords.writeMetadata(out, attachment.getAttachment());
        out.writeOptionalString(attachment.getName())
            .writeOptionalString(attachment.getCid().map(Cid::getValue))
            .writeBoolean(attachment.isInline());
    }

    private static MessageAttachmentMetadata readAttachment(RecordInput in) {
        AttachmentMetadata metadata = AttachmentRecords.readMetadata(in);
        return MessageAttachmentMetadata.builder()
            .attachment(metadata)
            .name(in.readOptionalString())
            .cid(in.readOptionalString().map(Cid::from))
            .isInline(in.readBoolean())
            .build();
    }

    /** The attachment metadata part shared by message records and attachment records. */
    static final class AttachmentRecords {
        private AttachmentRecords() {
        }

        static void writeMetadata(RecordOutput out, AttachmentMetadata metadata) {
            out.writeString(metadata.getAttachmentId().getId())
                .writeString(metadata.getMessageId().serialize())
                .writeString(metadata.getType().asString())
                .writeLong(metadata.getSize());
        }

        static AttachmentMetadata readMetadata(RecordInput in) {
            return AttachmentMetadata.builder()
                .attachmentId(AttachmentId.from(in.readString()))
                .messageId(MESSAGE_IDS.fromString(in.readString()))
                .type(in.readString())
                .size(in.readLong())
                .build();
        }
    }
}
