package org.switchboard.mailbox.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxCounters;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Flux;

/**
 * James' message mapper over the RocksDB store. Every change of a mailbox's messages takes that mailbox's lock,
 * allocates UID and MODSEQ from the mailbox's stored counters and writes the messages and the new counters in one
 * synced batch (see {@link RocksDbMailboxStore}).
 */
public class RocksDbMessageMapper implements MessageMapper {
    private static final List<Flags.Flag> APPLICABLE_SYSTEM_FLAGS = List.of(
        Flags.Flag.ANSWERED, Flags.Flag.DELETED, Flags.Flag.DRAFT, Flags.Flag.FLAGGED, Flags.Flag.SEEN);

    private final RocksDbMailboxStore store;
    private final MessageTable messages;
    private final Clock clock;
    private final CombinedAppends appends;

    RocksDbMessageMapper(RocksDbMailboxStore store, MessageTable messages, Clock clock) {
        this(store, messages, clock, new CombinedAppends(store, messages, clock));
    }

    private RocksDbMessageMapper(RocksDbMailboxStore store, MessageTable messages, Clock clock, CombinedAppends appends) {
        this.store = store;
        this.messages = messages;
        this.clock = clock;
        this.appends = appends;
    }

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange set, FetchType type, int limit) {
        return ImmutableList.<MailboxMessage>copyOf(messages.findInMailbox(mailbox.getMailboxId(), set, limit)).iterator();
    }

    @Override
    public List<MessageUid> retrieveMessagesMarkedForDeletion(Mailbox mailbox, MessageRange messageRange) {
        return messages.findInMailbox(mailbox.getMailboxId(), messageRange, UNLIMITED).stream()
            .filter(MailboxMessage::isDeleted)
            .map(MailboxMessage::getUid)
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public long countMessagesInMailbox(Mailbox mailbox) throws MailboxException {
        return messages.counters(mailbox.getMailboxId()).count();
    }

    @Override
    public MailboxCounters getMailboxCounters(Mailbox mailbox) throws MailboxException {
        MailboxCounterRecord counters = messages.counters(mailbox.getMailboxId());
        return MailboxCounters.builder()
            .mailboxId(mailbox.getMailboxId())
            .count(counters.count())
            .unseen(counters.unseen())
            .build();
    }

    @Override
    public void delete(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        deleteMessages(mailbox, List.of(message.getUid()));
    }

    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        return deleteMessages(mailbox.getMailboxId(), uids);
    }

    Map<MessageUid, MessageMetaData> deleteMessages(MailboxId mailboxId, List<MessageUid> uids) throws MailboxException {
        Lock lock = store.lockOf(mailboxId);
        lock.lock();
        try (Batch batch = store.batch()) {
            List<SimpleMailboxMessage> deleted = new ArrayList<>();
            for (MessageUid uid : uids) {
                messages.find(mailboxId, uid).ifPresent(deleted::add);
            }
            if (deleted.isEmpty()) {
                return Map.of();
            }
            batch.lockMessages(deleted.stream().map(MailboxMessage::getMessageId).toList());
            MailboxCounterRecord counters = messages.counters(mailboxId);
            Map<MessageUid, MessageMetaData> result = new LinkedHashMap<>();
            for (SimpleMailboxMessage message : deleted) {
                messages.remove(batch, message);
                counters = counters.plus(-1, message.isSeen() ? 0 : -1);
                result.put(message.getUid(), message.metaData());
            }
            messages.putCounters(batch, mailboxId, counters);
            batch.commit();
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MessageUid findFirstUnseenMessageUid(Mailbox mailbox) {
        MailboxId mailboxId = mailbox.getMailboxId();
        MessageUid[] firstUnseen = {null};
        store.scan(Table.MESSAGES, Keys.mailbox(mailboxId), (key, value) -> {
            SimpleMailboxMessage message = MessageRecords.decode(mailboxId, Keys.uidOfMessageKey(key), value, messages);
            if (!message.isSeen()) {
                firstUnseen[0] = message.getUid();
            }
            return firstUnseen[0] == null;
        });
        return firstUnseen[0];
    }

    @Override
    public List<MessageUid> findRecentMessageUidsInMailbox(Mailbox mailbox) {
        return messages.findInMailbox(mailbox.getMailboxId(), MessageRange.all(), UNLIMITED).stream()
            .filter(MailboxMessage::isRecent)
            .map(MailboxMessage::getUid)
            .collect(ImmutableList.toImmutableList());
    }

    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        appends.append(mailbox.getMailboxId(), message, Optional.empty());
        return message.metaData();
    }

    /**
     * Appends {@code message} unless {@code key} delivered a message before: the key is written in the same batch
     * as the message, so a delivery retried after a crash either finds it or appends (never both, never neither).
     */
    public Delivery appendOnce(DeliveryKey key, Mailbox mailbox, MailboxMessage message) throws MailboxException {
        return appends.append(mailbox.getMailboxId(), message, Optional.of(key));
    }

    /**
     * This mapper for one delivery: {@link #add} appends once under {@code key} ({@link #appendOnce}) and answers a
     * repeat with {@link AlreadyDeliveredException}. It shares this mapper's combined appends.
     */
    RocksDbMessageMapper forDelivery(DeliveryKey key) {
        return new RocksDbMessageMapper(store, messages, clock, appends) {
            @Override
            public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
                Delivery delivery = appendOnce(key, mailbox, message);
                if (delivery.duplicate()) {
                    throw new AlreadyDeliveredException(key, delivery);
                }
                return message.metaData();
            }
        };
    }

    @Override
    public Iterator<UpdatedFlags> updateFlags(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set) throws MailboxException {
        return updateFlags(mailbox.getMailboxId(), calculator, set).iterator();
    }

    List<UpdatedFlags> updateFlags(MailboxId mailboxId, FlagsUpdateCalculator calculator, MessageRange set) throws MailboxException {
        Lock lock = store.lockOf(mailboxId);
        lock.lock();
        try (Batch batch = store.batch()) {
            MailboxCounterRecord counters = messages.counters(mailboxId);
            ModSeq modSeq = ModSeq.of(counters.highestModSeq() + 1);
            MailboxCounterRecord updatedCounters = counters.withNextModSeq();
            boolean changed = false;
            List<UpdatedFlags> updates = new ArrayList<>();
            for (SimpleMailboxMessage message : messages.findInMailbox(mailboxId, set, UNLIMITED)) {
                Flags oldFlags = message.createFlags();
                Flags newFlags = calculator.buildNewFlags(oldFlags);
                if (UpdatedFlags.flagsChanged(oldFlags, newFlags)) {
                    message.setFlags(newFlags);
                    message.setModSeq(modSeq);
                    messages.update(batch, message);
                    updatedCounters = updatedCounters.plus(0, unseenChange(oldFlags, newFlags)).withUserFlagsOf(newFlags);
                    changed = true;
                }
                updates.add(UpdatedFlags.builder()
                    .uid(message.getUid())
                    .messageId(message.getMessageId())
                    .modSeq(message.getModSeq())
                    .oldFlags(oldFlags)
                    .newFlags(newFlags)
                    .build());
            }
            if (changed) {
                messages.putCounters(batch, mailboxId, updatedCounters);
                batch.commit();
            }
            return updates;
        } finally {
            lock.unlock();
        }
    }

    private static long unseenChange(Flags oldFlags, Flags newFlags) {
        boolean wasSeen = oldFlags.contains(Flags.Flag.SEEN);
        boolean isSeen = newFlags.contains(Flags.Flag.SEEN);
        return wasSeen == isSeen ? 0 : (isSeen ? -1 : 1);
    }

    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        Lock lock = store.lockOf(mailbox.getMailboxId());
        lock.lock();
        try (Batch batch = store.batch()) {
            MessageMetaData metaData = storeCopy(batch, mailbox.getMailboxId(), original);
            batch.commit();
            writtenUnderLock(mailbox.getMailboxId(), metaData);
            return metaData;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MessageMetaData move(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        Iterable<Lock> locks = store.locksOf(List.of(mailbox.getMailboxId(), original.getMailboxId()));
        locks.forEach(Lock::lock);
        try (Batch batch = store.batch()) {
            MessageMetaData metaData = storeCopy(batch, mailbox.getMailboxId(), original);
            MailboxId sourceId = original.getMailboxId();
            messages.removeFromMailbox(batch, original);
            messages.putCounters(batch, sourceId, messages.counters(sourceId).plus(-1, original.isSeen() ? 0 : -1));
            batch.commit();
            writtenUnderLock(mailbox.getMailboxId(), metaData);
            return metaData;
        } finally {
            locks.forEach(Lock::unlock);
        }
    }

    /** Copies and moves are announced in UID order with the appends of the same mailbox ({@link AddedEventsInUidOrder}). */
    private void writtenUnderLock(MailboxId targetId, MessageMetaData metaData) {
        store.addedEvents().written(targetId, List.of(metaData.getUid()));
    }

    /** A copy is a new message of the target mailbox (new UID, MODSEQ, save date, \Recent) sharing the octets. */
    private MessageMetaData storeCopy(Batch batch, MailboxId targetId, MailboxMessage original) throws MailboxException {
        batch.lockMessages(List.of(original.getMessageId()));
        if (!store.contains(Table.CONTENTS, Keys.messageId(original.getMessageId()))) {
            throw new MailboxException("Message " + original.getMessageId().serialize() + " is no longer stored");
        }
        MailboxCounterRecord counters = messages.counters(targetId).withNextUid().withNextModSeq();
        SimpleMailboxMessage copy = SimpleMailboxMessage.copy(targetId, original);
        Flags flags = original.createFlags();
        flags.add(Flags.Flag.RECENT);
        copy.setFlags(flags);
        copy.setUid(MessageUid.of(counters.lastUid()));
        copy.setModSeq(ModSeq.of(counters.highestModSeq()));
        copy.setSaveDate(Date.from(clock.instant()));
        messages.put(batch, copy);
        messages.putCounters(batch, targetId, counters.plus(1, copy.isSeen() ? 0 : 1).withUserFlagsOf(flags));
        return copy.metaData();
    }

    @Override
    public Optional<MessageUid> getLastUid(Mailbox mailbox) throws MailboxException {
        return messages.lastUid(mailbox.getMailboxId());
    }

    @Override
    public ModSeq getHighestModSeq(Mailbox mailbox) throws MailboxException {
        return ModSeq.of(messages.counters(mailbox.getMailboxId()).highestModSeq());
    }

    @Override
    public Flags getApplicableFlag(Mailbox mailbox) throws MailboxException {
        Flags applicable = new Flags();
        APPLICABLE_SYSTEM_FLAGS.forEach(applicable::add);
        messages.counters(mailbox.getMailboxId()).userFlags().forEach(applicable::add);
        return applicable;
    }

    @Override
    public Flux<MessageUid> listAllMessageUids(Mailbox mailbox) {
        return Flux.defer(() -> {
            List<MessageUid> uids = new ArrayList<>();
            store.scan(Table.MESSAGES, Keys.mailbox(mailbox.getMailboxId()), (key, value) -> uids.add(Keys.uidOfMessageKey(key)));
            return Flux.fromIterable(uids);
        });
    }
}
