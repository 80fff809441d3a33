package org.switchboard.mailbox.store;


import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;

/**
 * MODSEQs reserved ahead of a store by James itself (copies by message id). Changes through
 * {@link RocksDbMessageMapper} allocate theirs in the batch that stores the change instead.
 */
public class RocksDbModSeqProvider implements ModSeqProvider {
    private final MessageTable messages;

    public RocksDbModSeqProvider(RocksDbMailboxStore store) {
        this.messages = new MessageTable(store);
    }

    @Override
    public ModSeq nextModSeq(Mailbox mailbox) throws MailboxException {
        return nextModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq nextModSeq(MailboxId mailboxId) throws MailboxException {
        return ModSeq.of(messages.updateCounters(mailboxId, MailboxCounterRecord::withNextModSeq).highestModSeq());
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return highestModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return ModSeq.of(messages.counters(mailboxId).highestModSeq());
    }
}
