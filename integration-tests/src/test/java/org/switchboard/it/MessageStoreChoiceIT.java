package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conf/mailbox.properties} chooses the message store. An installation whose mail is in the JPA store does not
 * start on an empty RocksDB store (its users would see empty mailboxes): the start fails and names the migration
 * command or {@code mailbox.store=jpa}, and with the latter the mail is all there. Nor does it start on a RocksDB
 * store that a migration left unfinished. ({@link MailboxMigrationIT} runs the migration.)
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
        PackagedServer.closeKeepingLog(server, "MessageStoreChoiceIT");
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
        assertThatThrownBy(server::start).hasMessageContaining("Run bin/switchboard migrate-mailboxes (server stopped)")
            .hasMessageContaining("set mailbox.store=jpa in conf/mailbox.properties");
        Files.writeString(server.home.resolve("var/store/mailbox-migration.properties"), "phase=copying\n");
        assertThatThrownBy(server::start).hasMessageContaining("is not complete (var/store/mailbox-migration.properties)");
        Files.delete(server.home.resolve("var/store/mailbox-migration.properties"));

        server.rewrite("mailbox.properties", ROCKSDB, JPA);
        server.start();
        assertThat(MailAccess.imapSubjects(server.imapPort, DAN, PASSWORD)).containsExactly("kept in SQL");
    }
}
