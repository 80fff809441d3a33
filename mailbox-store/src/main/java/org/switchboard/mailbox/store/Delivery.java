package org.switchboard.mailbox.store;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;

/**
 * The message a {@link DeliveryKey} delivered: appended by this call ({@code duplicate} false) or by an earlier one
 * ({@code duplicate} true; the message may have been expunged by its owner since).
 */
public record Delivery(MailboxId mailboxId, MessageUid uid, boolean duplicate) {
}
