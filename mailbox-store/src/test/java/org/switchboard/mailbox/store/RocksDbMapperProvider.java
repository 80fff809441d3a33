package org.switchboard.mailbox.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageUidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.utils.UpdatableTickingClock;

/** James' contract tests' view of a RocksDB store opened in a temporary directory. */
class RocksDbMapperProvider implements MapperProvider, AutoCloseable {
    private static final MailboxSession SESSION = MailboxSessionUtil.create(Username.of("user"));

    private final RocksDbMailboxStore store;
    private final UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
    private final RocksDbMailboxSessionMapperFactory mappers;
    private final MessageUidProvider messageUids = new MessageUidProvider();

    RocksDbMapperProvider(Path directory) {
        try {
            this.store = RocksDbMailboxStore.open(directory);
        } catch (MailboxException e) {
            throw new IllegalStateException(e);
        }
        this.mappers = new RocksDbMailboxSessionMapperFactory(store, clock);
    }

    UpdatableTickingClock clock() {
        return clock;
    }

    @Override
    public List<Capabilities> getSupportedCapabilities() {
        return List.of(Capabilities.MESSAGE, Capabilities.MAILBOX, Capabilities.ATTACHMENT, Capabilities.ANNOTATION,
            Capabilities.MOVE, Capabilities.UNIQUE_MESSAGE_ID, Capabilities.THREAD_SAFE_FLAGS_UPDATE,
            Capabilities.INCREMENTAL_APPLICABLE_FLAGS,
            Capabilities.ACL_STORAGE);
    }

    @Override
    public MailboxMapper createMailboxMapper() {
        return mappers.createMailboxMapper(SESSION);
    }

    @Override
    public MessageMapper createMessageMapper() {
        return mappers.createMessageMapper(SESSION);
    }

    @Override
    public MessageIdMapper createMessageIdMapper() {
        return mappers.createMessageIdMapper(SESSION);
    }

    @Override
    public AttachmentMapper createAttachmentMapper() {
        return mappers.createAttachmentMapper(SESSION);
    }

    AnnotationMapper createAnnotationMapper() {
        return mappers.createAnnotationMapper(SESSION);
    }

    SubscriptionMapper createSubscriptionMapper() {
        return mappers.createSubscriptionMapper(SESSION);
    }

    @Override
    public MailboxId generateId() {
        return RocksDbMailboxId.of(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    }

    @Override
    public MessageUid generateMessageUid() {
        return messageUids.next();
    }

    @Override
    public ModSeq generateModSeq(Mailbox mailbox) throws MailboxException {
        return mappers.getModSeqProvider().nextModSeq(mailbox);
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return mappers.getModSeqProvider().highestModSeq(mailbox);
    }

    @Override
    public boolean supportPartialAttachmentFetch() {
        return false;
    }

    @Override
    public MessageId generateMessageId() {
        return new RocksDbMessageId.Factory().generate();
    }

    @Override
    public void close() {
        store.close();
    }
}
