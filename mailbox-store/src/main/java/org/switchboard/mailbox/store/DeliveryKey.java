package org.switchboard.mailbox.store;

import com.google.common.base.Preconditions;

/**
 * Identifies one delivery of one spooled mail to one recipient: the spool's mail name and the recipient address.
 * Stored with the delivered message, it lets a delivery retried after a crash find that it already happened.
 */
public record DeliveryKey(String mailName, String recipient) {
    public DeliveryKey {
        Preconditions.checkArgument(mailName != null && !mailName.isEmpty(), "A delivery key needs the mail name");
        Preconditions.checkArgument(recipient != null && !recipient.isEmpty(), "A delivery key needs the recipient");
    }

    byte[] asKey() {
        return Keys.text(mailName + (char) Keys.SEPARATOR, recipient);
    }
}
