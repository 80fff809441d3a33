package org.switchboard.mailbox.store;

import java.util.Optional;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;

/**
 * UIDs reserved ahead of a store by James itself (copies by message id). Appends through
 * {@link RocksDbMessageMapper} allocate theirs in the batch that stores the message instead.
 */
public class RocksDbUidProvider implements UidProvider {
    private final MessageTable messages;

    public RocksDbUidProvider(RocksDbMailboxStore store) {
        this.messages = new MessageTable(store);
    }

    @Override
    public MessageUid nextUid(Mailbox mailbox) throws MailboxException {
        return nextUid(mailbox.getMailboxId());
    }

    @Override
    public MessageUid nextUid(MailboxId mailboxId) throws MailboxException {
        return MessageUid.of(messages.updateCounters(mailboxId, MailboxCounterRecord::withNextUid).lastUid());
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        return messages.lastUid(mailbox.getMailboxId());
    }
}
