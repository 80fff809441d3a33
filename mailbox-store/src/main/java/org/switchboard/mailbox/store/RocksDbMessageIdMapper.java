package org.switchboard.mailbox.store;

import java.time.Clock;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.concurrent.locks.Lock;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** James' message-id mapper over the RocksDB store's index of message copies by message id. */
public class RocksDbMessageIdMapper implements MessageIdMapper {
    private final RocksDbMailboxStore store;
    private final MessageTable messages;
    private final RocksDbMessageMapper messageMapper;
    private final Clock clock;

    RocksDbMessageIdMapper(RocksDbMailboxStore store, MessageTable messages, RocksDbMessageMapper messageMapper, Clock clock) {
        this.store = store;
        this.messages = messages;
        this.messageMapper = messageMapper;
        this.clock = clock;
    }

    @Override
    public List<MailboxMessage> find(Collection<MessageId> messageIds, MessageMapper.FetchType fetchType) {
        ImmutableList.Builder<MailboxMessage> found = ImmutableList.builder();
        for (MessageId messageId : messageIds) {
            found.addAll(copiesOf(messageId));
        }
        return found.build();
    }

    @Override
    public Flux<ComposedMessageIdWithMetaData> findMetadata(MessageId messageId) {
        return Flux.defer(() -> Flux.fromIterable(copiesOf(messageId)))
            .map(message -> new ComposedMessageIdWithMetaData(
                new ComposedMessageId(message.getMailboxId(), message.getMessageId(), message.getUid()),
                message.createFlags(), message.getModSeq(), message.getThreadId()));
    }

    @Override
    public List<MailboxId> findMailboxes(MessageId messageId) {
        return copiesOf(messageId).stream()
            .map(MailboxMessage::getMailboxId)
            .collect(ImmutableList.toImmutableList());
    }

    /** Stores a message under the UID and MODSEQ James reserved for it in its mailbox. */
    @Override
    public void save(MailboxMessage message) throws MailboxException {
        MailboxId mailboxId = message.getMailboxId();
        if (!store.contains(Table.MAILBOXES, Keys.mailbox(mailboxId))) {
            throw new MailboxNotFoundException(mailboxId);
        }
        Lock lock = store.lockOf(mailboxId);
        lock.lock();
        try (Batch batch = store.batch()) {
            batch.lockMessages(List.of(message.getMessageId()));
            boolean replaces = messages.find(mailboxId, message.getUid()).isPresent();
            SimpleMailboxMessage saved = SimpleMailboxMessage.copy(mailboxId, message);
            saved.setUid(message.getUid());
            saved.setModSeq(message.getModSeq());
            saved.setSaveDate(Date.from(clock.instant()));
            messages.put(batch, saved);
            MailboxCounterRecord counters = messages.counters(mailboxId)
                .including(saved.getUid().asLong(), saved.getModSeq().asLong())
                .withUserFlagsOf(saved.createFlags());
            if (!replaces) {
                counters = counters.plus(1, saved.isSeen() ? 0 : 1);
            }
            messages.putCounters(batch, mailboxId, counters);
            batch.commit();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void copyInMailbox(MailboxMessage message, Mailbox mailbox) throws MailboxException {
        if (!findMailboxes(message.getMessageId()).contains(mailbox.getMailboxId())) {
            save(message);
        }
    }

    @Override
    public void delete(MessageId messageId) {
        deleteCopies(messageId, copiesOf(messageId));
    }

    @Override
    public void delete(MessageId messageId, Collection<MailboxId> mailboxIds) {
        deleteCopies(messageId, copiesOf(messageId).stream()
            .filter(message -> mailboxIds.contains(message.getMailboxId()))
            .toList());
    }

    private void deleteCopies(MessageId messageId, List<SimpleMailboxMessage> copies) {
        for (SimpleMailboxMessage copy : copies) {
            try {
                messageMapper.deleteMessages(copy.getMailboxId(), List.of(copy.getUid()));
            } catch (MailboxException e) {
                throw new IllegalStateException("Cannot delete message " + messageId.serialize(), e);
            }
        }
    }

    @Override
    public Mono<Multimap<MailboxId, UpdatedFlags>> setFlags(MessageId messageId, List<MailboxId> mailboxIds,
                                                            Flags newState, MessageManager.FlagsUpdateMode updateMode) {
        return Mono.fromCallable(() -> {
            ImmutableListMultimap.Builder<MailboxId, UpdatedFlags> updates = ImmutableListMultimap.builder();
            FlagsUpdateCalculator calculator = new FlagsUpdateCalculator(newState, updateMode);
            for (SimpleMailboxMessage copy : copiesOf(messageId)) {
                if (mailboxIds.contains(copy.getMailboxId())) {
                    messageMapper.updateFlags(copy.getMailboxId(), calculator, copy.getUid().toRange())
                        .forEach(update -> updates.put(copy.getMailboxId(), update));
                }
            }
            return updates.build();
        });
    }

    private List<SimpleMailboxMessage> copiesOf(MessageId messageId) {
        try {
            return messages.findCopies(messageId);
        } catch (MailboxException e) {
            throw new IllegalStateException("Cannot read message " + messageId.serialize(), e);
        }
    }
}
