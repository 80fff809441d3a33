package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.switchboard.it.MailAccess.PopMessage;

/**
 * Every accepted message is stored, as received: the trace fields of final delivery go on top (above a
 * Delivered-To the message already carries), and the rest is kept octet for octet whatever its MIME structure
 * (a multipart with a 3,000-character boundary and no start boundary is still an INBOX message, not an error).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageStoreIT {
    private static final String CAROL = "carol@example.com";
    private static final String PASSWORD = "Store-test-9753";
    private static final String SENDER = "sender@origin.example";
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    private static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        temp = dir;
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, CAROL);
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "MessageStoreIT");
    }

    @Test
    void traceFieldsGoOnTopOfTheOnesTheMessageCarries() throws Exception {
        String marker = UUID.randomUUID().toString();
        byte[] sent = ("Delivered-To: carol@old-home.example\r\n"
            + "From: " + SENDER + "\r\nTo: " + CAROL + "\r\nSubject: " + marker + "\r\n\r\nbody\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        send(sent);

        String stored = new String(awaitMessage(marker).raw(), StandardCharsets.ISO_8859_1);
        List<String> fields = MailAccess.headerFields(stored.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(fields.get(0)).isEqualTo("Return-Path: <" + SENDER + ">\r\n");
        assertThat(fields.get(1)).isEqualTo("Delivered-To: " + CAROL + "\r\n");
        assertThat(fields.get(2)).startsWith("Received: from ");
        assertThat(stored).endsWith(new String(sent, StandardCharsets.ISO_8859_1));
    }

    @Test
    void brokenMimeIsStoredAsReceived() throws Exception {
        String marker = UUID.randomUUID().toString();
        String boundary = "x".repeat(3000);
        byte[] sent = ("From: " + SENDER + "\r\nTo: " + CAROL + "\r\nSubject: " + marker + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed;\r\n boundary=\"" + boundary + "\"\r\n\r\n"
            + "no start boundary, and a part that never ends\r\n--" + boundary.substring(5) + "\r\n\r\ntruncated\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        send(sent);

        byte[] stored = awaitMessage(marker).raw();
        MailAccess.assertSameBytes(sent, MailAccess.withoutPrependedTrace(stored, SENDER, CAROL), "the stored message");
    }

    private void send(byte[] message) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("origin.example");
            assertThat(smtp.send(SENDER, CAROL, message).code()).isEqualTo(250);
        }
    }

    private PopMessage awaitMessage(String marker) {
        return await().atMost(DELIVERY).ignoreExceptions().until(() -> find(marker), Optional::isPresent).orElseThrow();
    }

    private Optional<PopMessage> find(String marker) throws Exception {
        return MailAccess.pop3(server.pop3Port, CAROL, PASSWORD).stream()
            .filter(message -> new String(message.raw(), StandardCharsets.ISO_8859_1).contains(marker))
            .findFirst();
    }
}
