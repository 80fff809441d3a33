package org.switchboard.mailbox.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.apache.james.mailbox.exception.AttachmentNotFoundException;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.AttachmentId;
import org.apache.james.mailbox.model.AttachmentMetadata;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ParsedAttachment;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.switchboard.mailbox.store.MessageRecords.AttachmentRecords;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * Attachments stored apart from their message, for James' attachment API: one record per attachment holding its
 * metadata (with the owner message id) followed by its content.
 */
public class RocksDbAttachmentMapper implements AttachmentMapper {
    private final RocksDbMailboxStore store;

    RocksDbAttachmentMapper(RocksDbMailboxStore store) {
        this.store = store;
    }

    @Override
    public InputStream loadAttachmentContent(AttachmentId attachmentId) throws AttachmentNotFoundException {
        byte[] record = load(attachmentId);
        int metadataLength = ByteBuffer.wrap(record).getInt();
        return new ByteArrayInputStream(Arrays.copyOfRange(record, Integer.BYTES + metadataLength, record.length));
    }

    @Override
    public AttachmentMetadata getAttachment(AttachmentId attachmentId) throws AttachmentNotFoundException {
        Preconditions.checkArgument(attachmentId != null, "An attachment id is required");
        return metadataOf(load(attachmentId));
    }

    @Override
    public List<AttachmentMetadata> getAttachments(Collection<AttachmentId> attachmentIds) {
        Preconditions.checkArgument(attachmentIds != null, "Attachment ids are required");
        ImmutableList.Builder<AttachmentMetadata> found = ImmutableList.builder();
        for (AttachmentId attachmentId : attachmentIds) {
            try {
                found.add(getAttachment(attachmentId));
            } catch (AttachmentNotFoundException e) {
                // an unknown id is left out of the answer, as the API says
            }
        }
        return found.build();
    }

    @Override
    public List<MessageAttachmentMetadata> storeAttachments(Collection<ParsedAttachment> attachments, MessageId ownerMessageId) throws MailboxException {
        ImmutableList.Builder<MessageAttachmentMetadata> stored = ImmutableList.builder();
        try (RocksDbMailboxStore.Batch batch = store.batch()) {
            for (ParsedAttachment attachment : attachments) {
                byte[] content = attachment.getContent().read();
                AttachmentMetadata metadata = AttachmentMetadata.builder()
                    .attachmentId(AttachmentId.random())
                    .messageId(ownerMessageId)
                    .type(attachment.getContentType())
                    .size(content.length)
                    .build();
                batch.put(Table.ATTACHMENTS, key(metadata.getAttachmentId()), record(metadata, content));
                stored.add(attachment.asMessageAttachment(metadata.getAttachmentId(), content.length, ownerMessageId));
            }
            batch.commit();
        } catch (IOException e) {
            throw new MailboxException("Cannot read an attachment to store", e);
        }
        return stored.build();
    }

    @Override
    public Collection<MessageId> getRelatedMessageIds(AttachmentId attachmentId) throws MailboxException {
        return List.of(getAttachment(attachmentId).getMessageId());
    }

    private byte[] load(AttachmentId attachmentId) throws AttachmentNotFoundException {
        try {
            byte[] record = store.get(Table.ATTACHMENTS, key(attachmentId));
            if (record == null) {
                throw new AttachmentNotFoundException(attachmentId.getId());
            }
            return record;
        } catch (AttachmentNotFoundException e) {
            throw e;
        } catch (MailboxException e) {
            throw new IllegalStateException("Cannot read attachment " + attachmentId.getId(), e);
        }
    }

    private static byte[] key(AttachmentId attachmentId) {
        return Keys.utf8(attachmentId.getId());
    }

    private static byte[] record(AttachmentMetadata metadata, byte[] content) {
        RecordOutput out = new RecordOutput();
        AttachmentRecords.writeMetadata(out, metadata);
        byte[] encodedMetadata = out.toByteArray();
        return ByteBuffer.allocate(Integer.BYTES + encodedMetadata.length + content.length)
            .putInt(encodedMetadata.length)
            .put(encodedMetadata)
            .put(content)
            .array();
    }

    private static AttachmentMetadata metadataOf(byte[] record) {
        int metadataLength = ByteBuffer.wrap(record).getInt();
        return AttachmentRecords.readMetadata(new RecordInput(Arrays.copyOfRange(record, Integer.BYTES, Integer.BYTES + metadataLength)));
    }
}
