package org.switchboard.mailbox.store;

import java.util.Optional;

import org.apache.james.mailbox.MailboxSession;

import com.google.common.base.Preconditions;

/**
 * Identifies one delivery of one spooled mail to one recipient: the spool's mail name and the recipient address.
 * Stored with the delivered message, it lets a delivery retried after a crash find that it already happened.
 *
 * <p>A delivering mailet hands it to the store in the mailbox session ({@link #attachTo}); the store's message
 * mapper for that session appends once ({@link RocksDbMessageMapper#forDelivery}) and answers a repeat with
 * {@link AlreadyDeliveredException}.
 */
public record DeliveryKey(String mailName, String recipient) {
    private static final String SESSION_ATTRIBUTE = "org.switchboard.delivery-key";

    public DeliveryKey {
        Preconditions.checkArgument(mailName != null && !mailName.isEmpty(), "A delivery key needs the mail name");
        Preconditions.checkArgument(recipient != null && !recipient.isEmpty(), "A delivery key needs the recipient");
    }

    /** Makes the appends of this session deliveries under this key (before the session's first append). */
    public void attachTo(MailboxSession session) {
        session.getAttributes().put(SESSION_ATTRIBUTE, this);
    }

    /** The key a delivery attached to this session, if any. */
    public static Optional<DeliveryKey> of(MailboxSession session) {
        Object key = session.getAttributes().get(SESSION_ATTRIBUTE);
        return key instanceof DeliveryKey deliveryKey ? Optional.of(deliveryKey) : Optional.empty();
    }

    byte[] asKey() {
        return Keys.text(mailName + (char) Keys.SEPARATOR, recipient);
    }
}
