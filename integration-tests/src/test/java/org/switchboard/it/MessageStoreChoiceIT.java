package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/mailbox.properties} chooses the message store. An installation whose mail is in the JPA store does not
 * start on an empty RocksDB store (its users would see empty mailboxes): the start fails and says to keep
 * {@code mailbox.store=jpa}, and with it the mail is all there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageStoreChoiceIT {
    private static final String DAN = "dan@example.com";
    private static final String PASSWORD = "Choice-test-8642";
    private static final String ROCKSDB = "mailbox.store=rocksdb";
    private static final String JPA = "mailbox.store=jpa";

    @TempDir
    static Path temp;
    private PackagedServer server;

    @AfterAll
    void shutdown() throws Exception {
        if (server != null) {
            server.close();
            MailAccess.keepLog(server, "MessageStoreChoiceIT");
        }
    }

    @Test
    void mailInTheJpaStoreIsNeverHiddenBehindAnEmptyRocksDbStore() throws Exception {
        server = PackagedServer.unpack(temp);
        server.rewrite("mailbox.properties", ROCKSDB, JPA);
        server.startWith("example.com", PASSWORD, DAN);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("origin.example");
            assertThat(smtp.send("sender@origin.example", DAN,
                "Subject: kept in SQL\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
            .until(() -> MailAccess.imapSubjects(server.imapPort, DAN, PASSWORD).contains("kept in SQL"));
        server.stop();

        server.rewrite("mailbox.properties", JPA, ROCKSDB);
        assertThatThrownBy(server::start).hasMessageContaining("Set mailbox.store=jpa");

        server.rewrite("mailbox.properties", ROCKSDB, JPA);
        server.start();
        assertThat(MailAccess.imapSubjects(server.imapPort, DAN, PASSWORD)).containsExactly("kept in SQL");
    }
}
