package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.switchboard.it.MailAccess.ImapMessage;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * Digests and archives of the Distribution List Manager on the packaged server, with real SMTP and IMAP clients and
 * james-cli: a digest member receives one digest per batch holding exactly the posts since the last one (sent on
 * request, then because the list's maximum was reached, across a kill -9 and a restart) and never the posts
 * themselves, while an immediate member receives each post; members change their mode by mail and by CLI; archived
 * posts carry List-Archive, are listed by date, thread and author, and are read over IMAP; a closed list's archive
 * is refused to a non-member, by mail and over IMAP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListsDigestIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String PASSWORD = "Digest-test-2468";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, "alice@example.com", "bob@example.com", "carol@example.com",
            "dave@example.com", "erin@example.com");
        String password = Files.readString(server.home.resolve("var/directory-admin.password"), StandardCharsets.UTF_8)
            .strip();
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", server.ldapPort, "uid=admin,ou=system", password)) {
            // digests go out at most three posts at a time; the monthly schedule does not come during the test
            ldap.add(new Entry("dn: mail=digest@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: digest@example.com", "description: Digest readers", "ieListPosting: OPEN",
                "ieListMember: erin@example.com", "ieListDigestMember: bob@example.com",
                "ieListDigestInterval: MONTHLY 28 03:00", "ieListDigestMaxMessages: 3"));
            ldap.add(new Entry("dn: mail=archived@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: archived@example.com", "ieListPosting: OPEN", "ieListMember: alice@example.com",
                "ieListArchive: TRUE"));
            ldap.add(new Entry("dn: mail=private@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
                "mail: private@example.com", "ieListPosting: MEMBERS", "ieListMember: alice@example.com",
                "ieListArchive: TRUE"));
        }
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "ListsDigestIT");
    }

    @Test
    void digestMemberGetsExactlyThePostsSinceTheLastDigestAcrossACrash() throws Exception {
        List<String> ids = List.of(id(), id(), id(), id(), id());
        post("carol@example.com", "digest@example.com", "first", ids.get(0), "");
        post("carol@example.com", "digest@example.com", "second", ids.get(1), "");
        awaitAtErin(ids.subList(0, 2));
        assertThat(server.cli("SendListDigest", "digest@example.com")).contains("2 post(s)");

        post("carol@example.com", "digest@example.com", "third", ids.get(2), "");
        awaitAtErin(ids.subList(2, 3));
        // kept for the next digest before erin got it: a crash now loses nothing
        server.kill9();
        server.start();
        post("carol@example.com", "digest@example.com", "fourth", ids.get(3), "");
        post("carol@example.com", "digest@example.com", "fifth", ids.get(4), "");
        awaitAtErin(ids.subList(3, 5));

        // the third kept post filled the second digest: it went without being asked
        List<ImapMessage> digests = awaitInbox("bob@example.com", 2);
        assertThat(digests).allSatisfy(digest -> assertThat(digest.text())
            .contains("Subject: Digest readers digest, ")
            .contains("Content-Type: multipart/digest").contains("Today's Topics:"));
        assertThat(digests.get(0).text()).contains("2 messages").contains(needle(ids.get(0))).contains(needle(ids.get(1)))
            .doesNotContain(needle(ids.get(2)));
        assertThat(digests.get(1).text()).contains("3 messages").contains(needle(ids.get(2)))
            .contains(needle(ids.get(3))).contains(needle(ids.get(4))).doesNotContain(needle(ids.get(0)))
            .doesNotContain(needle(ids.get(1)));
        assertThat(MailAccess.imapInbox(server.imapPort, "erin@example.com", PASSWORD))
            .as("the immediate member got each post once, no digest").hasSize(5);

        // bob asks for each post by mail, erin for digests by CLI
        post("bob@example.com", "digest-request@example.com", "set delivery immediate", id(), "");
        awaitInbox("bob@example.com", 3);
        server.cli("SetListDeliveryMode", "digest@example.com", "erin@example.com", "DIGEST");
        assertThat(server.cli("DescribeList", "digest@example.com")).contains("member: erin@example.com DIGEST")
            .contains("member: bob@example.com IMMEDIATE");
        String sixth = id();
        post("carol@example.com", "digest@example.com", "sixth", sixth, "");
        MailAccess.awaitTestMessage(server.imapPort, "bob@example.com", PASSWORD, sixth, DELIVERY);
        assertThat(server.cli("SendListDigest", "digest@example.com")).contains("1 post(s)");
        assertThat(awaitInbox("erin@example.com", 6).get(5).text()).contains("multipart/digest").contains(needle(sixth));
    }

    @Test
    void archivesAreListedByDateThreadAndAuthorAndAClosedListsOnlyToMembers() throws Exception {
        String plan = id();
        String answer = id();
        String other = id();
        post("carol@example.com", "archived@example.com", "Plan", plan, "Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n");
        post("dave@example.com", "archived@example.com", "Re: Plan", answer, "Date: Mon, 7 Dec 2026 09:20:00 +0000\r\n"
            + "In-Reply-To: <" + plan + "@example.com>\r\n");
        post("alice@example.com", "archived@example.com", "Other", other, "Date: Mon, 7 Dec 2026 09:10:00 +0000\r\n");
        for (String id : List.of(plan, answer, other)) {
            assertThat(MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, id, DELIVERY).text())
                .contains("List-Archive: <mailto:archived-request@example.com?subject=archive>");
        }

        assertThat(archive("date")).satisfiesExactly(
            line -> assertThat(line).contains("carol@example.com  Plan  <" + plan),
            line -> assertThat(line).contains("alice@example.com  Other  <" + other),
            line -> assertThat(line).contains("dave@example.com  Re: Plan  <" + answer));
        assertThat(archive("thread")).satisfiesExactly(
            line -> assertThat(line).contains("carol@example.com  Plan  <" + plan),
            line -> assertThat(line).contains("dave@example.com    Re: Plan  <" + answer),
            line -> assertThat(line).contains("alice@example.com  Other  <" + other));
        assertThat(archive("author")).satisfiesExactly(
            line -> assertThat(line).contains("alice@example.com"),
            line -> assertThat(line).contains("carol@example.com"),
            line -> assertThat(line).contains("dave@example.com"));

        // over IMAP: the open list's archive is anyone's, the closed list's its members'
        assertThat(MailAccess.imapFolder(server.imapPort, "dave@example.com", PASSWORD, "#list.archived@example.com"))
            .extracting(ImapMessage::text).hasSize(3)
            .anySatisfy(text -> assertThat(text).contains(needle(plan)).contains("From: carol@example.com")
                .contains("To: archived@example.com").contains("Date: Mon, 7 Dec 2026 09:00:00 +0000")
                .contains("Subject: Plan").contains("Hello."))
            .anySatisfy(text -> assertThat(text).contains(needle(answer)))
            .anySatisfy(text -> assertThat(text).contains(needle(other)));
        String secret = id();
        post("alice@example.com", "private@example.com", "members only", secret, "");
        MailAccess.awaitTestMessage(server.imapPort, "alice@example.com", PASSWORD, secret, DELIVERY);
        assertThat(MailAccess.imapFolder(server.imapPort, "alice@example.com", PASSWORD, "#list.private@example.com"))
            .singleElement().satisfies(message -> assertThat(message.text()).contains(needle(secret)));
        assertThatThrownBy(() -> MailAccess.imapFolder(server.imapPort, "dave@example.com", PASSWORD,
            "#list.private@example.com")).as("not a member").isInstanceOf(javax.mail.MessagingException.class);
        post("dave@example.com", "private-request@example.com", "archive", id(), "");
        post("alice@example.com", "private-request@example.com", "archive", id(), "");
        await().atMost(DELIVERY).ignoreExceptions().until(() -> MailAccess.imapSubjects(server.imapPort,
            "dave@example.com", PASSWORD).contains("Archive of private@example.com refused"));
        await().atMost(DELIVERY).ignoreExceptions().until(() -> MailAccess.imapInbox(server.imapPort,
            "alice@example.com", PASSWORD).stream().anyMatch(message -> message.text().contains(
                "Subject: Archive of private@example.com") && message.text().contains("members only  <" + secret)));

        // membership changes reach the archive without a post: within a minute (EachListScheduler)
        server.cli("RemoveListMember", "private@example.com", "alice@example.com");
        server.cli("AddListMember", "private@example.com", "dave@example.com");
        await().atMost(Duration.ofSeconds(100)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() ->
            MailAccess.imapFolder(server.imapPort, "dave@example.com", PASSWORD, "#list.private@example.com").size() == 1);
        assertThatThrownBy(() -> MailAccess.imapFolder(server.imapPort, "alice@example.com", PASSWORD,
            "#list.private@example.com")).as("alice left").isInstanceOf(javax.mail.MessagingException.class);
    }

    private List<String> archive(String order) throws Exception {
        return server.cli("ListArchive", "archived@example.com", order).lines()
            .filter(line -> line.contains("@example.com>")).toList();
    }

    private void awaitAtErin(List<String> ids) {
        for (String id : ids) {
            MailAccess.awaitTestMessage(server.imapPort, "erin@example.com", PASSWORD, id, DELIVERY);
        }
    }

    /** The user's INBOX once it holds {@code count} messages; fails if it holds more. */
    private List<ImapMessage> awaitInbox(String user, int count) throws Exception {
        await().atMost(DELIVERY).ignoreExceptions().until(() -> MailAccess.imapCount(server.imapPort, user, PASSWORD)
            >= count);
        List<ImapMessage> inbox = MailAccess.imapInbox(server.imapPort, user, PASSWORD);
        assertThat(inbox).as(user).hasSize(count);
        return inbox;
    }

    private static String needle(String id) {
        return "X-Test-Id: " + id + "\r\n";
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private void post(String from, String to, String subject, String id, String extraFields) throws Exception {
        byte[] message = ("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id
            + "@example.com>\r\nX-Test-Id: " + id + "\r\n" + extraFields + "\r\nHello.\r\n")
            .getBytes(StandardCharsets.UTF_8);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            assertThat(smtp.send(from, List.of(to), message).code()).isEqualTo(250);
            smtp.quit();
        }
    }
}
