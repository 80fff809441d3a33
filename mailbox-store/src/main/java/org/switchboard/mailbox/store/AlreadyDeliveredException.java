package org.switchboard.mailbox.store;

import org.apache.james.mailbox.exception.MailboxException;

/**
 * An append under a {@link DeliveryKey} that an earlier append (before a crash, typically) has stored already:
 * nothing was appended. The delivering mailet counts the delivery as done.
 */
public class AlreadyDeliveredException extends MailboxException {
    private final transient Delivery delivery;

    public AlreadyDeliveredException(DeliveryKey key, Delivery delivery) {
        super("Already delivered: mail " + key.mailName() + " to " + key.recipient() + " is message " + delivery.uid()
            + " of mailbox " + delivery.mailboxId().serialize());
        this.delivery = delivery;
    }

    public Delivery delivery() {
        return delivery;
    }
}
