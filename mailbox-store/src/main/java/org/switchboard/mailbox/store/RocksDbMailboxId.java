package org.switchboard.mailbox.store;

import java.io.Serializable;

import org.apache.james.mailbox.model.MailboxId;

/** A mailbox id of the RocksDB store: a 64-bit number allocated by {@link RocksDbMailboxStore}, never reused. */
public final class RocksDbMailboxId implements MailboxId, Serializable {
    public static final class Factory implements MailboxId.Factory {
        @Override
        public MailboxId fromString(String serialized) {
            return of(Long.parseLong(serialized));
        }
    }

    private final long value;

    private RocksDbMailboxId(long value) {
        this.value = value;
    }

    public static RocksDbMailboxId of(long value) {
        return new RocksDbMailboxId(value);
    }

    public long asLong() {
        return value;
    }

    @Override
    public String serialize() {
        return Long.toString(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RocksDbMailboxId && ((RocksDbMailboxId) other).value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return serialize();
    }
}
