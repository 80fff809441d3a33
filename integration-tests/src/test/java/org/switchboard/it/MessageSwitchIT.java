package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.SmtpClient.Reply;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;

/**
 * The Message Switch on the packaged server: one message to a local user, a remote address and a user with two
 * {@code othermailbox} routes reaches each route exactly once; x-permission refuses a sender without Send on the
 * SMTPC channel with a DSN that says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageSwitchIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String PASSWORD = "Switch-test-2468";
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, "alice@example.com", "bob@example.com", "carol@example.com",
            "dave@example.com");
        try (LDAPConnection ldap = admin()) {
            ldap.modify("mail=carol@example.com," + SUFFIX,
                new Modification(ModificationType.ADD, "otherMailbox", "LOCAL$bob@example.com", "SMTPC$carol@far.invalid"));
            ldap.modify("mail=dave@example.com," + SUFFIX,
                new Modification(ModificationType.ADD, "x-permission", "SMTPC$Receive"));
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "MessageSwitchIT");
    }

    @Test
    void oneMessageReachesEveryRouteOnce() throws Exception {
        String subject = "switch " + UUID.randomUUID();
        send("sender@example.com", List.of("alice@example.com", "someone@remote.invalid", "carol@example.com"), subject);

        await().atMost(DELIVERY).untilAsserted(() -> {
            assertThat(MailAccess.imapSubjects(server.imapPort, "alice@example.com", PASSWORD)).containsOnlyOnce(subject);
            assertThat(MailAccess.imapSubjects(server.imapPort, "bob@example.com", PASSWORD))
                .as("carol's LOCAL$bob route").containsOnlyOnce(subject);
            assertThat(server.smtpcHandled("someone@remote.invalid")).as("relayed by SMTPC").isTrue();
            assertThat(server.smtpcHandled("carol@far.invalid")).as("carol's SMTPC route").isTrue();
        });
        assertThat(MailAccess.imapSubjects(server.imapPort, "carol@example.com", PASSWORD))
            .as("carol's mail follows her routes, not her own mailbox").doesNotContain(subject);
    }

    @Test
    void senderWithoutSendPermissionOnSmtpcGetsABounce() throws Exception {
        String subject = "not allowed " + UUID.randomUUID();
        send("dave@example.com", List.of("friend@remote.invalid", "alice@example.com"), subject);

        await().atMost(DELIVERY).untilAsserted(() -> {
            List<MailAccess.ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, "dave@example.com", PASSWORD);
            assertThat(inbox).as("DSN to dave").anySatisfy(message -> assertThat(message.text())
                .contains("friend@remote.invalid").contains("may not send mail through SMTPC"));
            assertThat(MailAccess.imapSubjects(server.imapPort, "alice@example.com", PASSWORD))
                .as("LOCAL is allowed").contains(subject);
        });
        assertThat(server.smtpcHandled("friend@remote.invalid")).as("relayed by SMTPC").isFalse();
    }

    private void send(String from, List<String> to, String subject) throws Exception {
        byte[] message = ("From: " + from + "\r\nTo: " + String.join(", ", to) + "\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.com>\r\n\r\nHello.\r\n").getBytes(StandardCharsets.UTF_8);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            Reply reply = smtp.send(from, to, message);
            assertThat(reply.code()).as("%s", reply).isEqualTo(250);
            smtp.quit();
        }
    }

    private LDAPConnection admin() throws Exception {
        String password = Files.readString(server.home.resolve("var/directory-admin.password"), StandardCharsets.UTF_8).strip();
        return new LDAPConnection("127.0.0.1", server.ldapPort, "uid=admin,ou=system", password);
    }
}
