package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * What list users expect beside posting, on the packaged server with real SMTP and IMAP clients: a member's copy that
 * bounces comes back to the list's VERP address, counts towards that member's bounce score (james-cli
 * ListBounceScores) and never reaches the poster; an RFC 3464 report from another server counts (soft) for the member
 * it names; a non-member's post to a moderated list is held until the owner
 * approves it by mail, then reaches the members, and one nobody decides on expires with a notice to its poster; a
 * poster matching a ban pattern is bounced, and so is a post whose From: author is banned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListPoliciesIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String PASSWORD = "Policies-test-2468";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    /** Long enough for the owner's approval below, short enough to see a post expire. */
    private static final Duration HOLD_TIMEOUT = Duration.ofSeconds(25);

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        PipelineEditor pipeline = PipelineEditor.of(server);
        pipeline.processor("lists-moderation").mailetOfClass("org.switchboard.mailets.lists.ListModeration")
            .parameter("holdTimeout", HOLD_TIMEOUT.toSeconds() + "s");
        pipeline.save();
        server.startWith("example.com", PASSWORD, "alice@example.com", "bob@example.com", "dave@example.com",
            "erin@example.com");
        try (LDAPConnection ldap = ListClients.admin(server)) {
            // ghost@example.com has no mailbox: its copy bounces inside the server
            ldap.add(new Entry("dn: mail=bouncy@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: bouncy@example.com", "ieListPosting: OPEN", "ieListMember: alice@example.com",
                "ieListMember: ghost@example.com"));
            ldap.add(new Entry("dn: mail=moderated@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: moderated@example.com", "ieListPosting: MODERATED", "ieListMember: alice@example.com",
                "ieListOwnerAddress: erin@example.com"));
            ldap.add(new Entry("dn: mail=banning@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: banning@example.com", "ieListPosting: OPEN", "ieListMember: alice@example.com",
                "ieListBan: ^dave@.*\\.com$"));
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "ListPoliciesIT");
    }

    @Test
    void memberBounceCountsTowardsItsScoreAndNeverReachesThePoster() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "bob@example.com", "bouncy@example.com", "bouncing", id, "");

        ImapMessage received = MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id, DELIVERY);
        assertThat(received.text()).contains("Return-Path: <bouncy-bounces+alice=example.com@example.com>");
        await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(server.cli("ListBounceScores", "bouncy@example.com"))
                .contains("ghost@example.com score=1.0").contains("enabled"));
        assertThat(MailAccess.imapInbox(server.imapPort, "bob@example.com", PASSWORD)).as("the poster's inbox")
            .noneSatisfy(message -> assertThat(message.text()).contains("ghost@example.com"));
    }

    @Test
    void deliveryStatusReportFromAnotherServerCountsForTheMemberItNames() throws Exception {
        byte[] report = ("From: MAILER-DAEMON@mx.remote.test\r\nTo: bouncy-bounces@example.com\r\n"
            + "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n"
            + "--R\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            + "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.remote.test\r\n\r\n"
            + "Final-Recipient: rfc822; alice@example.com\r\nAction: failed\r\nStatus: 4.2.2\r\n\r\n--R--\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("mx.remote.test");
            assertThat(smtp.send("", List.of("bouncy-bounces@example.com"), report).code()).isEqualTo(250);
            smtp.quit();
        }

        await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(server.cli("ListBounceScores", "bouncy@example.com")).contains("alice@example.com score=0.5"));
    }

    @Test
    void nonMemberPostIsHeldUntilTheOwnerApprovesIt() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "bob@example.com", "moderated@example.com", "please publish", id, "");

        String token = ListClients.token(ListClients.awaitSubject(server.imapPort, "erin@example.com", PASSWORD,
            "Held post", DELIVERY));
        ListClients.awaitSubject(server.imapPort, "bob@example.com", PASSWORD, "awaits moderation", DELIVERY);
        assertThat(server.cli("ListHeldPosts", "moderated@example.com")).contains(token).contains("please publish");
        assertThat(MailAccess.imapInbox(server.imapPort, "alice@example.com", PASSWORD)).as("held, not sent")
            .noneSatisfy(message -> assertThat(message.text()).contains("X-Test-Id: " + id));

        ListClients.send(server.smtpPort, "erin@example.com", "moderated-request@example.com", "approve " + token,
            UUID.randomUUID().toString(), "");

        ImapMessage post = MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id, DELIVERY);
        assertThat(post.text()).contains("List-Id: <moderated.example.com>").contains("Subject: please publish");
        assertThat(server.cli("ListHeldPosts", "moderated@example.com")).doesNotContain(token);
    }

    @Test
    void heldPostNobodyDecidesOnExpiresAndThePosterIsTold() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "dave@example.com", "moderated@example.com", "nobody answers", id, "");
        String token = ListClients.token(ListClients.awaitSubject(server.imapPort, "erin@example.com", PASSWORD,
            "dave@example.com to moderated@example.com", DELIVERY));
        assertThat(server.cli("ListHeldPosts", "moderated@example.com")).contains(token);

        // the schedule checks once a minute
        ImapMessage notice = ListClients.awaitSubject(server.imapPort, "dave@example.com", PASSWORD,
            "Your post to moderated@example.com expired", HOLD_TIMEOUT.plus(Duration.ofMinutes(1)).plus(DELIVERY));
        assertThat(ListClients.unfolded(notice)).contains("Subject: nobody answers");
        assertThat(server.cli("ListHeldPosts", "moderated@example.com")).doesNotContain(token);
        assertThat(MailAccess.imapInbox(server.imapPort, "alice@example.com", PASSWORD)).as("never sent")
            .noneSatisfy(message -> assertThat(message.text()).contains("X-Test-Id: " + id));
    }

    @Test
    void postWhoseFromAuthorIsBannedIsBouncedWhateverTheEnvelopeSender() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] message = ("From: Dave <dave@example.com>\r\nTo: banning@example.com\r\nSubject: through bob\r\n"
            + "Message-ID: <" + id + "@example.com>\r\nX-Test-Id: " + id + "\r\n\r\nHello list.\r\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            assertThat(smtp.send("bob@example.com", List.of("banning@example.com"), message).code()).isEqualTo(250);
            smtp.quit();
        }

        await().atMost(DELIVERY).ignoreExceptions().untilAsserted(() ->
            assertThat(MailAccess.imapInbox(server.imapPort, "bob@example.com", PASSWORD)).anySatisfy(bounce ->
                assertThat(bounce.text()).contains("The author dave@example.com (From:) is banned from the list"
                    + " banning@example.com").contains(id)));
        assertThat(MailAccess.imapInbox(server.imapPort, "alice@example.com", PASSWORD)).as("not distributed")
            .noneSatisfy(received -> assertThat(received.text()).contains("X-Test-Id: " + id));
    }

    @Test
    void posterMatchingABanPatternIsBounced() throws Exception {
        String id = UUID.randomUUID().toString();
        ListClients.send(server.smtpPort, "dave@example.com", "banning@example.com", "banned post", id, "");

        await().atMost(DELIVERY).ignoreExceptions().untilAsserted(() ->
            assertThat(MailAccess.imapInbox(server.imapPort, "dave@example.com", PASSWORD)).anySatisfy(message ->
                assertThat(message.text()).contains("dave@example.com is banned from the list banning@example.com")
                    .contains(id)));
        assertThat(MailAccess.imapInbox(server.imapPort, "alice@example.com", PASSWORD)).as("not distributed")
            .noneSatisfy(message -> assertThat(message.text()).contains("X-Test-Id: " + id));
    }
}
