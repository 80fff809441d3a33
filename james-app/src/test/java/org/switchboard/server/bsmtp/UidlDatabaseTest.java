package org.switchboard.server.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UidlDatabaseTest {
    @TempDir
    Path temp;

    @Test
    void recordedUidlsAreKnownAfterReopening() throws Exception {
        Path file = temp.resolve("bsmtp/account.uidl");
        try (UidlDatabase database = UidlDatabase.open(file)) {
            database.add("uidl-1");
            database.add("uidl-2");
            database.add("uidl-1");
        }
        try (UidlDatabase database = UidlDatabase.open(file)) {
            assertThat(database.contains("uidl-1")).isTrue();
            assertThat(database.contains("uidl-2")).isTrue();
            assertThat(database.contains("uidl-3")).isFalse();
            assertThat(database.size()).isEqualTo(2);
        }
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo("uidl-1\nuidl-2\n");
    }

    @Test
    void aLineCutByACrashIsForgotten() throws Exception {
        Path file = temp.resolve("account.uidl");
        Files.writeString(file, "done-1\ndone-2\nhalf-writ", StandardCharsets.US_ASCII);

        try (UidlDatabase database = UidlDatabase.open(file)) {
            assertThat(database.contains("done-2")).isTrue();
            assertThat(database.contains("half-writ")).isFalse();
            database.add("next");
        }
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo("done-1\ndone-2\nnext\n");
    }

    @Test
    void uidlsNoLongerOnTheServerAreForgotten() throws Exception {
        Path file = temp.resolve("account.uidl");
        try (UidlDatabase database = UidlDatabase.open(file)) {
            database.add("a");
            database.add("b");
            database.add("c");
            database.retainOnly(List.of("b", "z"));
            database.add("d");
        }
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo("b\nd\n");
    }

    @Test
    void aUidlOutsideRfc1939IsRefused() throws Exception {
        try (UidlDatabase database = UidlDatabase.open(temp.resolve("account.uidl"))) {
            assertThatThrownBy(() -> database.add("with space")).hasMessageContaining("RFC 1939");
            assertThatThrownBy(() -> database.add("x".repeat(71))).hasMessageContaining("RFC 1939");
        }
    }
}
