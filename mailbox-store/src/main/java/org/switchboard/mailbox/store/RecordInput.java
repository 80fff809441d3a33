package org.switchboard.mailbox.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads a record value written by {@link RecordOutput}. */
final class RecordInput {
    private final ByteBuffer in;

    RecordInput(byte[] value) {
        this.in = ByteBuffer.wrap(value);
    }

    long readLong() {
        return in.getLong();
    }

    int readInt() {
        return in.getInt();
    }

    boolean readBoolean() {
        return in.get() != 0;
    }

    String readString() {
        byte[] utf8 = new byte[in.getInt()];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    Optional<String> readOptionalString() {
        return readBoolean() ? Optional.of(readString()) : Optional.empty();
    }
}
