package org.switchboard.mailbox.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Writes a record value: fixed-width numbers and length-prefixed UTF-8 strings (no 64 KiB limit). */
final class RecordOutput {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final DataOutputStream out = new DataOutputStream(bytes);

    RecordOutput writeLong(long value) {
        return write(() -> out.writeLong(value));
    }

    RecordOutput writeInt(int value) {
        return write(() -> out.writeInt(value));
    }

    RecordOutput writeBoolean(boolean value) {
        return write(() -> out.writeBoolean(value));
    }

    RecordOutput writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return write(() -> {
            out.writeInt(utf8.length);
            out.write(utf8);
        });
    }

    RecordOutput writeOptionalString(Optional<String> value) {
        writeBoolean(value.isPresent());
        value.ifPresent(this::writeString);
        return this;
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private interface Write {
        void run() throws IOException;
    }

    private RecordOutput write(Write write) {
        try {
            write.run();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Writing to memory cannot fail", e);
        }
    }
}
