package org.switchboard.mailbox.store;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.Lock;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

/**
 * Messages of another store written into this one as they were there: same UID, MODSEQ, flags, internal date and
 * octets, so IMAP clients that know the mailbox (same UIDVALIDITY) need no resynchronisation. James' mappers cannot
 * do it: appends allocate new UIDs, and nothing raises a mailbox's counters past UIDs and MODSEQs that the other
 * store gave to messages since expunged (they must never be given again under the same UIDVALIDITY).
 */
public final class RocksDbMailboxImport {
    private final RocksDbMailboxStore store;
    private final MessageTable messages;
    private final Clock clock;

    public RocksDbMailboxImport(RocksDbMailboxStore store, Clock clock) {
        this.store = store;
        this.messages = new MessageTable(store);
        this.clock = clock;
    }

    /**
     * A message id that is the same every time it is derived from {@code origin}: an import repeated after a crash
     * writes the same keys again instead of leaving records under a second id.
     */
    public static MessageId messageIdOf(String origin) {
        return new RocksDbMessageId(UUID.nameUUIDFromBytes(origin.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes {@code imported} (messages with their UID and MODSEQ set, ids from {@link #messageIdOf}) into the
     * mailbox in one synced batch, with the mailbox counters. A message whose UID the mailbox holds already is left
     * as it is (an import resumed after a crash). Returns how many messages were written.
     */
    public int importMessages(MailboxId mailboxId, List<? extends MailboxMessage> imported) throws MailboxException {
        if (!store.contains(Table.MAILBOXES, Keys.mailbox(mailboxId))) {
            throw new MailboxNotFoundException(mailboxId);
        }
        Lock lock = store.lockOf(mailboxId);
        lock.lock();
        try (Batch batch = store.batch()) {
            batch.lockMessages(imported.stream().map(MailboxMessage::getMessageId).distinct().toList());
            MailboxCounterRecord counters = messages.counters(mailboxId);
            int written = 0;
            for (MailboxMessage message : imported) {
                if (store.contains(Table.MESSAGES, Keys.message(mailboxId, message.getUid()))) {
                    continue;
                }
                SimpleMailboxMessage stored = SimpleMailboxMessage.copyWithoutAttachments(mailboxId, message);
                stored.setUid(message.getUid());
                stored.setModSeq(message.getModSeq());
                stored.setSaveDate(message.getSaveDate().orElseGet(() -> Date.from(clock.instant())));
                messages.put(batch, stored);
                counters = counters.including(stored.getUid().asLong(), stored.getModSeq().asLong())
                    .plus(1, stored.isSeen() ? 0 : 1)
                    .withUserFlagsOf(stored.createFlags());
                written++;
            }
            if (written > 0) {
                messages.putCounters(batch, mailboxId, counters);
                batch.commit();
            }
            return written;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Raises the last UID and the highest MODSEQ of a mailbox to at least these values (those of the store it was
     * imported from), so that the next append gets a UID and MODSEQ above every one given before.
     */
    public void raiseCounters(MailboxId mailboxId, MessageUid lastUid, ModSeq highestModSeq) throws MailboxException {
        if (!store.contains(Table.MAILBOXES, Keys.mailbox(mailboxId))) {
            throw new MailboxNotFoundException(mailboxId);
        }
        messages.updateCounters(mailboxId, counters -> counters.including(lastUid.asLong(), highestModSeq.asLong()));
    }
}
