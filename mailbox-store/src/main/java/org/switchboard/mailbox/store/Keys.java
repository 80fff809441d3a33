package org.switchboard.mailbox.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;

/**
 * Keys of the store's column families. Numbers are fixed-width big-endian, so RocksDB's byte order is numeric order
 * and a range scan over one mailbox's messages returns them by ascending UID. Text parts are UTF-8 separated by NUL,
 * which cannot occur in a user name or a mailbox name.
 */
final class Keys {
    static final byte SEPARATOR = 0;
    static final int LONG_BYTES = Long.BYTES;
    static final int MESSAGE_ID_BYTES = 2 * Long.BYTES;

    private Keys() {
    }

    static long mailboxIdValue(MailboxId mailboxId) {
        return ((RocksDbMailboxId) mailboxId).asLong();
    }

    static byte[] mailbox(MailboxId mailboxId) {
        return ByteBuffer.allocate(LONG_BYTES).putLong(mailboxIdValue(mailboxId)).array();
    }

    static byte[] message(MailboxId mailboxId, MessageUid uid) {
        return message(mailboxId, uid.asLong());
    }

    static byte[] message(MailboxId mailboxId, long uid) {
        return ByteBuffer.allocate(2 * LONG_BYTES).putLong(mailboxIdValue(mailboxId)).putLong(uid).array();
    }

    static MessageUid uidOfMessageKey(byte[] key) {
        return MessageUid.of(ByteBuffer.wrap(key, LONG_BYTES, LONG_BYTES).getLong());
    }

    static byte[] messageId(MessageId messageId) {
        RocksDbMessageId id = (RocksDbMessageId) messageId;
        return ByteBuffer.allocate(MESSAGE_ID_BYTES)
            .putLong(id.asUuid().getMostSignificantBits())
            .putLong(id.asUuid().getLeastSignificantBits())
            .array();
    }

    /** A message id may be stored under several UIDs of one mailbox, hence the UID in the key. */
    static byte[] messageIdInMailbox(MessageId messageId, MailboxId mailboxId, MessageUid uid) {
        return ByteBuffer.allocate(MESSAGE_ID_BYTES + 2 * LONG_BYTES)
            .put(messageId(messageId))
            .putLong(mailboxIdValue(mailboxId))
            .putLong(uid.asLong())
            .array();
    }

    static RocksDbMailboxId mailboxOfMessageIdKey(byte[] key) {
        return RocksDbMailboxId.of(ByteBuffer.wrap(key, MESSAGE_ID_BYTES, LONG_BYTES).getLong());
    }

    static MessageUid uidOfMessageIdKey(byte[] key) {
        return MessageUid.of(ByteBuffer.wrap(key, MESSAGE_ID_BYTES + LONG_BYTES, LONG_BYTES).getLong());
    }

    static long readLong(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    /** Namespace, user and name: the same for every path of one user, so a user's mailboxes are one key range. */
    static byte[] path(MailboxPath path) {
        return text(userPrefix(path.getNamespace(), path.getUser()), path.getName());
    }

    static String userPrefix(String namespace, Username user) {
        return namespace + (char) SEPARATOR + (user == null ? "" : user.asString()) + (char) SEPARATOR;
    }

    static byte[] subscription(Username user, String mailbox) {
        return text(user.asString() + (char) SEPARATOR, mailbox);
    }

    static byte[] annotation(MailboxId mailboxId, String key) {
        return concat(mailbox(mailboxId), utf8(key));
    }

    static String annotationKeyOf(byte[] key) {
        return new String(key, LONG_BYTES, key.length - LONG_BYTES, StandardCharsets.UTF_8);
    }

    static byte[] text(String prefix, String rest) {
        return utf8(prefix + rest);
    }

    static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] result = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
