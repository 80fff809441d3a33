package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnsubscribeTokensTest {
    private static final MailAddress LIST = address("staff@example.com");
    private static final MailAddress BOB = address("bob@example.org");

    @TempDir
    Path temp;

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    @Test
    void aTokenOpensOnlyItsOwnMemberAndList() {
        UnsubscribeTokens tokens = new UnsubscribeTokens(key(1));
        String token = tokens.token(LIST, BOB);

        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(tokens.verify(LIST, BOB, token)).isTrue();
        assertThat(tokens.verify(address("STAFF@example.com"), address("Bob@Example.org"), token))
            .as("addresses compare without case").isTrue();
        assertThat(tokens.verify(LIST, address("carol@example.org"), token)).as("another member").isFalse();
        assertThat(tokens.verify(address("board@example.com"), BOB, token)).as("another list").isFalse();
        assertThat(new UnsubscribeTokens(key(2)).verify(LIST, BOB, token)).as("another key").isFalse();
        assertThat(tokens.verify(LIST, BOB, token.substring(1))).as("cut").isFalse();
        assertThat(tokens.verify(LIST, BOB, "not base64!")).isFalse();
        assertThat(tokens.verify(LIST, BOB, "")).isFalse();
    }

    @Test
    void theKeyIsMadeOnceOwnerOnlyAndKept() throws IOException {
        Path file = temp.resolve("var/oneclick-unsubscribe.key");
        String token = UnsubscribeTokens.loadOrCreate(file).token(LIST, BOB);

        assertThat(Files.size(file)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(UnsubscribeTokens.loadOrCreate(file).token(LIST, BOB)).as("same key after a restart")
            .isEqualTo(token);
        assertThat(UnsubscribeTokens.loadOrCreate(temp.resolve("other.key")).token(LIST, BOB)).as("random key")
            .isNotEqualTo(token);
    }

    @Test
    void aDamagedKeyFileIsRefused() throws IOException {
        Path file = temp.resolve("short.key");
        Files.write(file, new byte[5]);

        assertThatThrownBy(() -> UnsubscribeTokens.loadOrCreate(file)).isInstanceOf(IOException.class)
            .hasMessageContaining("holds 5 bytes");
    }
}
