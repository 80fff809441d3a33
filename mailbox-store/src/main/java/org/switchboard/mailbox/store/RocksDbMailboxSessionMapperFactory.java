package org.switchboard.mailbox.store;

import java.time.Clock;

import javax.inject.Inject;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.AttachmentMapperFactory;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;

/**
 * The mappers of the RocksDB store. They hold no per-session state (every operation is its own batch), so one
 * instance of each serves every session.
 */
public class RocksDbMailboxSessionMapperFactory extends MailboxSessionMapperFactory implements AttachmentMapperFactory {
    private final RocksDbMailboxMapper mailboxMapper;
    private final RocksDbMessageMapper messageMapper;
    private final RocksDbMessageIdMapper messageIdMapper;
    private final RocksDbSubscriptionMapper subscriptionMapper;
    private final RocksDbAnnotationMapper annotationMapper;
    private final RocksDbAttachmentMapper attachmentMapper;
    private final RocksDbUidProvider uidProvider;
    private final RocksDbModSeqProvider modSeqProvider;
    private final AddedEventsInUidOrder addedEvents;

    @Inject
    public RocksDbMailboxSessionMapperFactory(RocksDbMailboxStore store, Clock clock) {
        MessageTable messages = new MessageTable(store);
        this.mailboxMapper = new RocksDbMailboxMapper(store, messages);
        this.messageMapper = new RocksDbMessageMapper(store, messages, clock);
        this.messageIdMapper = new RocksDbMessageIdMapper(store, messages, messageMapper, clock);
        this.subscriptionMapper = new RocksDbSubscriptionMapper(store);
        this.annotationMapper = new RocksDbAnnotationMapper(store);
        this.attachmentMapper = new RocksDbAttachmentMapper(store);
        this.uidProvider = new RocksDbUidProvider(store);
        this.modSeqProvider = new RocksDbModSeqProvider(store);
        this.addedEvents = store.addedEvents();
    }

    AddedEventsInUidOrder addedEvents() {
        return addedEvents;
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return mailboxMapper;
    }

    @Override
    public RocksDbMessageMapper createMessageMapper(MailboxSession session) {
        // a delivering session appends once per delivery key (exactly once across crashes)
        return DeliveryKey.of(session).map(messageMapper::forDelivery).orElse(messageMapper);
    }

    @Override
    public MessageIdMapper createMessageIdMapper(MailboxSession session) {
        return messageIdMapper;
    }

    @Override
    public SubscriptionMapper createSubscriptionMapper(MailboxSession session) {
        return subscriptionMapper;
    }

    @Override
    public AnnotationMapper createAnnotationMapper(MailboxSession session) {
        return annotationMapper;
    }

    @Override
    public AttachmentMapper createAttachmentMapper(MailboxSession session) {
        return attachmentMapper;
    }

    @Override
    public AttachmentMapper getAttachmentMapper(MailboxSession session) {
        return attachmentMapper;
    }

    @Override
    public UidProvider getUidProvider() {
        return uidProvider;
    }

    @Override
    public ModSeqProvider getModSeqProvider() {
        return modSeqProvider;
    }

    /** The mapper that offers {@link RocksDbMessageMapper#appendOnce}. */
    public RocksDbMessageMapper getMessageMapper() {
        return messageMapper;
    }
}
