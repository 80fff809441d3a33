package org.switchboard.mailbox.store;

import java.io.IOException;
import java.io.InputStream;

import javax.inject.Inject;

import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.AttachmentNotFoundException;
import org.apache.james.mailbox.model.AttachmentMetadata;

/** Loads attachments stored by {@link RocksDbAttachmentMapper} (for James' text extraction and attachment APIs). */
public class RocksDbAttachmentContentLoader implements AttachmentContentLoader {
    private final RocksDbMailboxSessionMapperFactory mappers;

    @Inject
    public RocksDbAttachmentContentLoader(RocksDbMailboxSessionMapperFactory mappers) {
        this.mappers = mappers;
    }

    @Override
    public InputStream load(AttachmentMetadata attachment, MailboxSession session) throws IOException, AttachmentNotFoundException {
        return mappers.getAttachmentMapper(session).loadAttachmentContent(attachment.getAttachmentId());
    }
}
