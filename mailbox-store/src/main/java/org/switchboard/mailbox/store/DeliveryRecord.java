package org.switchboard.mailbox.store;

import java.nio.ByteBuffer;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;

/** The value stored under a {@link DeliveryKey}: where the message went, and when. */
record DeliveryRecord(MailboxId mailboxId, MessageUid uid, long recordedAtMillis) {
    static DeliveryRecord decode(byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        return new DeliveryRecord(RocksDbMailboxId.of(in.getLong()), MessageUid.of(in.getLong()), in.getLong());
    }

    byte[] encode() {
        return ByteBuffer.allocate(3 * Long.BYTES)
            .putLong(Keys.mailboxIdValue(mailboxId))
            .putLong(uid.asLong())
            .putLong(recordedAtMillis)
            .array();
    }
}
