package org.switchboard.mailbox.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.UnaryOperator;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

/**
 * Message records and their octets: the record under mailbox id + UID, an index entry under message id + mailbox id
 * + UID,
 * and the octets under the message id, shared by the copies of a message in several mailboxes and removed with the
 * last of them.
 */
final class MessageTable implements MessageRecords.ContentLoader {
    private static final byte[] NO_VALUE = new byte[0];

    private final RocksDbMailboxStore store;

    MessageTable(RocksDbMailboxStore store) {
        this.store = store;
    }

    MailboxCounterRecord counters(MailboxId mailboxId) throws MailboxException {
        return MailboxCounterRecord.decode(store.get(Table.COUNTERS, Keys.mailbox(mailboxId)));
    }

    Optional<MessageUid> lastUid(MailboxId mailboxId) throws MailboxException {
        long lastUid = counters(mailboxId).lastUid();
        return lastUid == 0 ? Optional.empty() : Optional.of(MessageUid.of(lastUid));
    }

    /** Changes the counters of a mailbox on their own (UIDs and MODSEQs James reserves ahead of a store). */
    MailboxCounterRecord updateCounters(MailboxId mailboxId, UnaryOperator<MailboxCounterRecord> change) throws MailboxException {
        Lock lock = store.lockOf(mailboxId);
        lock.lock();
        try (Batch batch = store.batch()) {
            MailboxCounterRecord counters = change.apply(counters(mailboxId));
            putCounters(batch, mailboxId, counters);
            batch.commit();
            return counters;
        } finally {
            lock.unlock();
        }
    }

    void putCounters(Batch batch, MailboxId mailboxId, MailboxCounterRecord counters) throws MailboxException {
        batch.put(Table.COUNTERS, Keys.mailbox(mailboxId), counters.encode());
    }

    Optional<SimpleMailboxMessage> find(MailboxId mailboxId, MessageUid uid) throws MailboxException {
        byte[] value = store.get(Table.MESSAGES, Keys.message(mailboxId, uid));
        return Optional.ofNullable(value).map(record -> MessageRecords.decode(mailboxId, uid, record, this));
    }

    /** The messages of a mailbox within {@code range}, by ascending UID, at most {@code limit} (if positive). */
    List<SimpleMailboxMessage> findInMailbox(MailboxId mailboxId, MessageRange range, int limit) {
        List<SimpleMailboxMessage> messages = new ArrayList<>();
        long last = range.getUidTo().asLong();
        store.scan(Table.MESSAGES, Keys.mailbox(mailboxId), Keys.message(mailboxId, range.getUidFrom()), (key, value) -> {
            MessageUid uid = Keys.uidOfMessageKey(key);
            if (uid.asLong() > last) {
                return false;
            }
            messages.add(MessageRecords.decode(mailboxId, uid, value, this));
            return limit <= 0 || messages.size() < limit;
        });
        return messages;
    }

    /** Every copy of a message, one per mailbox holding it. */
    List<SimpleMailboxMessage> findCopies(MessageId messageId) throws MailboxException {
        List<byte[]> references = new ArrayList<>();
        store.scan(Table.MESSAGES_BY_ID, Keys.messageId(messageId), (key, value) -> references.add(key));
        List<SimpleMailboxMessage> copies = new ArrayList<>(references.size());
        for (byte[] reference : references) {
            find(Keys.mailboxOfMessageIdKey(reference), Keys.uidOfMessageIdKey(reference)).ifPresent(copies::add);
        }
        return copies;
    }

    /** Writes a message record (new or changed) and, for the first copy of a message, its octets. */
    void put(Batch batch, MailboxMessage message) throws MailboxException {
        putRecord(batch, message);
        byte[] contentKey = Keys.messageId(message.getMessageId());
        if (batch.deletes(Table.CONTENTS, contentKey) || !store.contains(Table.CONTENTS, contentKey)) {
            batch.put(Table.CONTENTS, contentKey, octetsOf(message));
        }
    }

    /** Writes a newly appended message: its record and its {@code octets}. */
    void putNew(Batch batch, MailboxMessage message, byte[] octets) throws MailboxException {
        putRecord(batch, message);
        batch.put(Table.CONTENTS, Keys.messageId(message.getMessageId()), octets);
    }

    private void putRecord(Batch batch, MailboxMessage message) throws MailboxException {
        batch.put(Table.MESSAGES, Keys.message(message.getMailboxId(), message.getUid()), MessageRecords.encode(message));
        batch.put(Table.MESSAGES_BY_ID, Keys.messageIdInMailbox(message.getMessageId(), message.getMailboxId(), message.getUid()),
            NO_VALUE);
    }

    /** Rewrites the record of a message whose flags or MODSEQ changed. */
    void update(Batch batch, MailboxMessage message) throws MailboxException {
        batch.put(Table.MESSAGES, Keys.message(message.getMailboxId(), message.getUid()), MessageRecords.encode(message));
    }

    /** Removes a message from its mailbox, and its octets with the last copy. */
    void remove(Batch batch, MailboxMessage message) throws MailboxException {
        removeFromMailbox(batch, message);
        boolean[] referencedElsewhere = {false};
        store.scan(Table.MESSAGES_BY_ID, Keys.messageId(message.getMessageId()), (key, value) -> {
            referencedElsewhere[0] = !batch.deletes(Table.MESSAGES_BY_ID, key);
            return !referencedElsewhere[0];
        });
        if (!referencedElsewhere[0]) {
            batch.delete(Table.CONTENTS, Keys.messageId(message.getMessageId()));
        }
    }

    /** Removes the record of a message whose octets stay referenced (the source of a move). */
    void removeFromMailbox(Batch batch, MailboxMessage message) throws MailboxException {
        batch.delete(Table.MESSAGES, Keys.message(message.getMailboxId(), message.getUid()));
        batch.delete(Table.MESSAGES_BY_ID, Keys.messageIdInMailbox(message.getMessageId(), message.getMailboxId(), message.getUid()));
    }

    /** The octets are read when the message's content is, not when its record is. */
    @Override
    public Content contentOf(MessageId messageId, long size) {
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                try {
                    byte[] octets = store.get(Table.CONTENTS, Keys.messageId(messageId));
                    if (octets == null) {
                        throw new IOException("Message " + messageId.serialize() + " is no longer stored");
                    }
                    return new ByteArrayInputStream(octets);
                } catch (MailboxException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    private static byte[] octetsOf(MailboxMessage message) throws MailboxException {
        try (InputStream content = message.getFullContent()) {
            return content.readAllBytes();
        } catch (IOException e) {
            throw new MailboxException("Cannot read the message to store", e);
        }
    }
}
