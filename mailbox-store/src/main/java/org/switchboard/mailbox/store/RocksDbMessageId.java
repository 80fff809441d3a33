package org.switchboard.mailbox.store;

import java.util.UUID;

import org.apache.james.mailbox.model.MessageId;

/**
 * A message id of the RocksDB store: a random UUID, made when a message is first appended and kept by its copies in
 * other mailboxes (they share the stored octets). Random, so no counter has to be written with each append.
 */
public final class RocksDbMessageId implements MessageId {
    public static final class Factory implements MessageId.Factory {
        @Override
        public MessageId fromString(String serialized) {
            return new RocksDbMessageId(UUID.fromString(serialized));
        }

        @Override
        public MessageId generate() {
            return new RocksDbMessageId(UUID.randomUUID());
        }
    }

    private final UUID uuid;

    RocksDbMessageId(UUID uuid) {
        this.uuid = uuid;
    }

    UUID asUuid() {
        return uuid;
    }

    @Override
    public String serialize() {
        return uuid.toString();
    }

    @Override
    public boolean isSerializable() {
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RocksDbMessageId && ((RocksDbMessageId) other).uuid.equals(uuid);
    }

    @Override
    public int hashCode() {
        return uuid.hashCode();
    }

    @Override
    public String toString() {
        return serialize();
    }
}
