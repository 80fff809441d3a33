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
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;

/**
 * The Distribution List Manager on the packaged server, with real SMTP and IMAP clients: lists made over LDAP and
 * with james-cli, posts from members and non-members to an open and a closed list, a blocked sender, the list header
 * fields and envelope of what members receive, a post that already went through the list; subscription by mail
 * (subscribe, confirm, welcome), a replayed and a forged token, and an owner denying a closed list's applicant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListsIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String PASSWORD = "Lists-test-1357";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, "alice@example.com", "bob@example.com", "carol@example.com",
            "dave@example.com", "erin@example.com");
        try (LDAPConnection ldap = admin()) {
            // open: anyone posts, dave is a member whose own posts are blocked, and so is a whole domain
            ldap.add(new Entry("dn: mail=open@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: open@example.com", "description: Open talk", "ieListPosting: OPEN",
                "ieListMember: alice@example.com", "ieListMember: dave@example.com",
                "ieListBlocked: dave@example.com", "ieListBlocked: @spam.invalid", "ieListSubjectPrefix: [open]"));
            // closed: members only
            ldap.add(new Entry("dn: mail=closed@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: closed@example.com", "ieListPosting: MEMBERS", "ieListMember: alice@example.com",
                "ieListDigestMember: carol@example.com", "ieListOwnerAddress: erin@example.com"));
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "ListsIT");
    }

    @Test
    void memberPostToClosedListReachesEveryMemberWithListHeaders() throws Exception {
        String id = UUID.randomUUID().toString();
        send("alice@example.com", "closed@example.com", "members only", id);

        // carol reads digests (ListsDigestIT)
        for (String member : List.of("alice@example.com")) {
            ImapMessage received = MailAccess.awaitTestMessage(server.imapPort, member, PASSWORD, id, DELIVERY);
            String text = received.text();
            assertThat(text).as(member)
                .contains("Return-Path: <closed-bounces+" + member.replace("@", "=") + "@example.com>")
                .contains("List-Id: <closed.example.com>")
                .contains("List-Post: <mailto:closed@example.com>")
                .contains("List-Help: <mailto:closed-request@example.com?subject=help>")
                .contains("List-Subscribe: <mailto:closed-subscribe@example.com>")
                .contains("List-Unsubscribe: <mailto:closed-unsubscribe@example.com>")
                .contains("X-Loop: closed@example.com")
                .contains("Precedence: list")
                .contains("Message-ID: <" + id + "@example.com>")
                .contains("Subject: members only");
        }
    }

    @Test
    void nonMemberPostToClosedListBouncesWithTheReason() throws Exception {
        String id = UUID.randomUUID().toString();
        send("bob@example.com", "closed@example.com", "let me in", id);

        await().atMost(DELIVERY).ignoreExceptions().untilAsserted(() ->
            assertThat(MailAccess.imapInbox(server.imapPort, "bob@example.com", PASSWORD)).anySatisfy(message ->
                assertThat(message.text()).contains("The list closed@example.com is closed: only its members may post,"
                    + " and bob@example.com is not a member").contains(id)));
        assertThat(inboxWith("alice@example.com", id)).as("not distributed").isFalse();
    }

    @Test
    void anyonePostsToOpenListAndABlockedMemberStillReceives() throws Exception {
        String id = UUID.randomUUID().toString();
        send("outsider@remote.invalid", "open@example.com", "hello list", id);

        for (String member : List.of("alice@example.com", "dave@example.com")) {
            ImapMessage received = MailAccess.awaitTestMessage(server.imapPort, member, PASSWORD, id, DELIVERY);
            assertThat(received.text()).as(member)
                .contains("List-Id: \"Open talk\" <open.example.com>")
                .contains("Subject: [open] hello list")
                .contains("Return-Path: <open-bounces+" + member.replace("@", "=") + "@example.com>");
        }
    }

    @Test
    void blockedSenderIsBounced() throws Exception {
        String id = UUID.randomUUID().toString();
        send("dave@example.com", "open@example.com", "blocked post", id);

        await().atMost(DELIVERY).ignoreExceptions().untilAsserted(() ->
            assertThat(MailAccess.imapInbox(server.imapPort, "dave@example.com", PASSWORD)).anySatisfy(message ->
                assertThat(message.text()).contains("dave@example.com is blocked from posting to the list"
                    + " open@example.com").contains(id)));
        assertThat(inboxWith("alice@example.com", id)).as("not distributed").isFalse();
    }

    @Test
    void postThatWentThroughTheListIsNotSentAgain() throws Exception {
        String id = UUID.randomUUID().toString();
        String looped = UUID.randomUUID().toString();
        send("outsider@remote.invalid", "open@example.com", "looped", looped, "List-Id: <open.example.com>\r\n");
        // a later post is delivered: the looped one had its turn before it
        send("outsider@remote.invalid", "open@example.com", "after the loop", id);
        MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id, DELIVERY);
        await().atMost(DELIVERY).until(() -> MailAccess.webAdmin(server.webAdminPort,
            "/mailRepositories/var%2Fmail%2Flists-loop/mails").contains("\""));
        assertThat(inboxWith("alice@example.com", looped)).isFalse();
    }

    @Test
    void listMadeByCliTakesPostsAndIsDescribed() throws Exception {
        // each james-cli call starts a JVM: the other commands are covered by ListManagementTest
        server.cli("CreateList", "cli@example.com", "OPEN", "Made by the CLI");
        server.cli("AddListMember", "cli@example.com", "bob@example.com");
        assertThat(server.cli("DescribeList", "cli@example.com")).contains("description: Made by the CLI")
            .contains("posting: OPEN").contains("member: bob@example.com IMMEDIATE");

        String id = UUID.randomUUID().toString();
        send("alice@example.com", "cli@example.com", "via cli", id);
        MailAccess.awaitTestMessage(server.imapPort, "bob@example.com", PASSWORD, id, DELIVERY);

        server.cli("DeleteList", "cli@example.com");
        try (LDAPConnection ldap = admin()) {
            assertThat(ldap.getEntry("mail=cli@example.com," + SUFFIX)).isNull();
        }
    }

    @Test
    void subscribeConfirmWelcomeThenAForgedTokenDoesNothing() throws Exception {
        send("bob@example.com", "open-subscribe@example.com", "join", UUID.randomUUID().toString());
        ImapMessage confirmation = awaitSubject("bob@example.com", "join open@example.com");
        String token = token(confirmation);
        assertThat(confirmation.text()).contains("Reply-To: open-request@example.com")
            .contains("Auto-Submitted: auto-replied");

        send("bob@example.com", "open-request@example.com", "Re: Confirm " + token + ": join open@example.com",
            UUID.randomUUID().toString());
        awaitSubject("bob@example.com", "Welcome to open@example.com");
        assertThat(members("open@example.com")).contains("bob@example.com");

        // the replay and a forged token change nothing and are answered so
        send("carol@example.com", "open-request@example.com", "confirm " + token, UUID.randomUUID().toString());
        send("carol@example.com", "open-request@example.com", "confirm 00112233445566778899aabbccddeeff00112233",
            UUID.randomUUID().toString());
        await().atMost(DELIVERY).ignoreExceptions().until(() -> MailAccess.imapSubjects(server.imapPort,
            "carol@example.com", PASSWORD).stream().filter(subject -> subject.startsWith("Not done")).count() == 2);
        assertThat(members("open@example.com")).doesNotContain("carol@example.com");
    }

    @Test
    void closedListSubscriptionNeedsTheOwnerWhoMayDeny() throws Exception {
        try (LDAPConnection ldap = admin()) {
            ldap.modify("mail=closed@example.com," + SUFFIX, new Modification(ModificationType.REPLACE,
                "ieListSubscription", "CLOSED"));
        }
        send("dave@example.com", "closed-request@example.com", "subscribe", UUID.randomUUID().toString());
        String token = token(awaitSubject("dave@example.com", "join closed@example.com"));
        send("dave@example.com", "closed-request@example.com", "Re: Confirm " + token, UUID.randomUUID().toString());
        String ownerToken = token(awaitSubject("erin@example.com", "dave@example.com to closed@example.com"));
        send("erin@example.com", "closed-request@example.com", "Re: deny " + ownerToken, UUID.randomUUID().toString());
        awaitSubject("dave@example.com", "Subscription to closed@example.com denied");
        assertThat(members("closed@example.com")).doesNotContain("dave@example.com");
    }

    /** The list's members as the directory holds them, both delivery modes. */
    private List<String> members(String list) throws Exception {
        try (LDAPConnection ldap = admin()) {
            com.unboundid.ldap.sdk.Entry entry = ldap.getEntry("mail=" + list + "," + SUFFIX);
            List<String> members = new java.util.ArrayList<>();
            for (String attribute : List.of("ieListMember", "ieListDigestMember")) {
                String[] values = entry.getAttributeValues(attribute);
                if (values != null) {
                    members.addAll(List.of(values));
                }
            }
            return members;
        }
    }

    private ImapMessage awaitSubject(String user, String subjectPart) {
        return ListClients.awaitSubject(server.imapPort, user, PASSWORD, subjectPart, DELIVERY);
    }


    private static String token(ImapMessage message) {
        return ListClients.token(message);
    }

    private boolean inboxWith(String user, String testId) throws Exception {
        return MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream()
            .anyMatch(message -> message.text().contains("X-Test-Id: " + testId + "\r\n"));
    }

    private void send(String from, String to, String subject, String testId) throws Exception {
        send(from, to, subject, testId, "");
    }

    private void send(String from, String to, String subject, String testId, String extraFields) throws Exception {
        ListClients.send(server.smtpPort, from, to, subject, testId, extraFields);
    }

    private LDAPConnection admin() throws Exception {
        return ListClients.admin(server);
    }
}
