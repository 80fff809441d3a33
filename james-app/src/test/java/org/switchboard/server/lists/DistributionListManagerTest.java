package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.lists.DeliveryMode;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.DistributionListManager;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.mailets.lists.PostingPolicy;
import org.switchboard.mailets.lists.SubscriptionPolicy;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;
import org.switchboard.server.directory.TestDirectory;
import org.switchboard.server.smtpd.RecordedDns;

import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;

/**
 * The list manager's directory ({@link LdapListDirectory}) and its posting mailet ({@link DistributionListManager})
 * against a real embedded ApacheDS; each test makes lists of its own.
 */
class DistributionListManagerTest extends ListDirectoryTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    @Test
    void readsAListWithItsMembersModesAndPolicies() throws Exception {
        String name = addList("read", "description: Readers", "ieListPosting: open", "ieListSubscription: CLOSED",
            "ieListMember: Alice@Example.com", "ieListMember: not an address", "ieListDigestMember: bob@example.com",
            "ieListOwnerAddress: owner@example.com", "ieListBlocked: @Spam.Invalid", "ieListArchive: TRUE",
            "ieMailAlias: readers@example.com");

        DistributionList list = lists.find(address(name.toUpperCase())).orElseThrow();

        assertThat(list.address().asString()).isEqualTo(name);
        assertThat(list.description()).isEqualTo("Readers");
        assertThat(list.posting()).isEqualTo(PostingPolicy.OPEN);
        assertThat(list.subscription()).isEqualTo(SubscriptionPolicy.CLOSED);
        assertThat(list.members()).containsOnly(Map.entry(address("alice@example.com"), DeliveryMode.IMMEDIATE),
            Map.entry(address("bob@example.com"), DeliveryMode.DIGEST));
        assertThat(list.owners()).containsOnly(address("owner@example.com"));
        assertThat(list.blocks(address("anyone@spam.invalid"))).isTrue();
        assertThat(list.blocks(address("anyone@example.com"))).isFalse();
        assertThat(list.archive()).isTrue();
        assertThat(lists.find(address("readers@example.com"))).map(DistributionList::address)
            .contains(list.address());
        assertThat(lists.find(address("nobody@example.com"))).isEmpty();
    }

    @Test
    void aListWithoutPoliciesIsClosedAndNeedsConfirmation() throws Exception {
        DistributionList list = lists.find(address(addList("defaults"))).orElseThrow();

        assertThat(list.posting()).isEqualTo(PostingPolicy.MEMBERS);
        assertThat(list.subscription()).isEqualTo(SubscriptionPolicy.CONFIRM);
        assertThat(list.members()).isEmpty();
    }

    @Test
    void membersAreAddedMovedBetweenModesAndRemovedInTheDirectory() throws Exception {
        MailAddress name = address(addList("members"));
        MailAddress carol = address("carol@example.com");

        lists.setMember(lists.find(name).orElseThrow(), carol, DeliveryMode.IMMEDIATE);
        assertThat(lists.find(name).orElseThrow().members()).containsOnly(Map.entry(carol, DeliveryMode.IMMEDIATE));
        lists.setMember(lists.find(name).orElseThrow(), carol, DeliveryMode.DIGEST);
        assertThat(lists.find(name).orElseThrow().members()).containsOnly(Map.entry(carol, DeliveryMode.DIGEST));
        assertThat(pool.getEntry("mail=" + name.asString() + "," + SUFFIX).getAttributeValues("ieListMember"))
            .as("no longer immediate").isNull();

        assertThat(lists.removeMember(lists.find(name).orElseThrow(), carol)).isTrue();
        assertThat(lists.find(name).orElseThrow().members()).isEmpty();
        assertThat(lists.removeMember(lists.find(name).orElseThrow(), carol)).as("no member any more").isFalse();
    }

    @Test
    void searchFindsListsByAddressAndDescription() throws Exception {
        String first = addList("searchable", "description: Gardening club");
        String second = addList("searchable");

        assertThat(lists.search("searchable")).extracting(list -> list.address().asString())
            .containsExactlyInAnyOrder(first, second);
        assertThat(lists.search("gardening")).extracting(list -> list.address().asString()).containsExactly(first);
        assertThat(lists.search("")).extracting(list -> list.address().asString()).contains(first, second);
    }

    @Test
    void memberPostGoesToEveryMemberWithListHeadersAndItsVerpBounceAddress() throws Exception {
        String name = addList("post", "ieListMember: alice@example.com", "ieListDigestMember: bob@example.com",
            "ieListSubjectPrefix: [post]");
        RecordingContext context = new RecordingContext();

        Mail mail = post("alice@example.com", name, "Hello");
        manager(context).service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        // a small list: one copy per member, each from its VERP bounce address
        assertThat(context.sent()).hasSize(2);
        String local = name.substring(0, name.indexOf('@'));
        assertThat(context.sent()).extracting(RecordingContext.Sent::recipients).containsExactlyInAnyOrder(
            List.of(address("alice@example.com")), List.of(address("bob@example.com")));
        assertThat(context.sent()).extracting(RecordingContext.Sent::sender).containsExactlyInAnyOrder(
            java.util.Optional.of(address(local + "-bounces+alice=example.com@example.com")),
            java.util.Optional.of(address(local + "-bounces+bob=example.com@example.com")));
        RecordingContext.Sent sent = context.sent().get(0);
        assertThat(sent.state()).isEqualTo("preprocess");
        assertThat(sent.inputChannel()).contains(Channel.DL);
        assertThat(sent.text())
            .contains("List-Id: <" + local + ".example.com>")
            .contains("List-Post: <mailto:" + name + ">")
            .contains("List-Unsubscribe: <mailto:" + local + "-unsubscribe@example.com>")
            .contains("List-Owner: <mailto:" + local + "-owner@example.com>")
            .contains("X-Loop: " + name)
            .contains("Subject: [post] Hello")
            .contains("Message-ID: <original@example.com>");
    }

    @Test
    void closedListRefusesNonMembersAndOpenListTakesThem() throws Exception {
        String closed = addList("closed", "ieListMember: alice@example.com");
        String open = addList("open", "ieListPosting: OPEN", "ieListMember: alice@example.com");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("stranger@remote.invalid", closed, "Let me in"));
        manager.service(post("stranger@remote.invalid", open, "Hello"));

        assertThat(context.sent()).hasSize(2);
        assertThat(context.sent().get(0).state()).isEqualTo("lists-rejected");
        assertThat(context.sent().get(0).recipients()).containsExactly(address(closed));
        assertThat(context.sent().get(0).errorMessage()).isEqualTo("The list " + closed
            + " is closed: only its members may post, and stranger@remote.invalid is not a member");
        assertThat(context.sent().get(1).state()).isEqualTo("preprocess");
        assertThat(context.sent().get(1).recipients()).containsExactly(address("alice@example.com"));
    }

    @Test
    void blockedAddressOrDomainIsRefusedButABlockedMemberStillReceives() throws Exception {
        String name = addList("blocking", "ieListPosting: OPEN", "ieListMember: dave@example.com",
            "ieListBlocked: dave@example.com", "ieListBlocked: @spam.invalid");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("dave@example.com", name, "mine"));
        manager.service(post("someone@spam.invalid", name, "spam"));
        manager.service(post("friend@remote.invalid", name, "fine"));

        assertThat(context.sent()).extracting(RecordingContext.Sent::state)
            .containsExactly("lists-rejected", "lists-rejected", "preprocess");
        assertThat(context.sent().get(0).errorMessage()).isEqualTo("dave@example.com is blocked from posting to the"
            + " list " + name);
        assertThat(context.sent().get(1).errorMessage()).startsWith("someone@spam.invalid is blocked");
        assertThat(context.sent().get(2).recipients()).containsExactly(address("dave@example.com"));
    }

    @Test
    void postCarryingTheListsIdOrLoopMarkerIsNotSentAgain() throws Exception {
        String name = addList("loop", "ieListPosting: OPEN", "ieListMember: alice@example.com");
        String local = name.substring(0, name.indexOf('@'));
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("friend@remote.invalid", name, "again", "List-Id", "Loop <" + local + ".example.com>"));
        manager.service(post("friend@remote.invalid", name, "again", "X-Loop", name.toUpperCase()));
        manager.service(post("friend@remote.invalid", name, "other list", "List-Id", "<other.example.com>"));

        assertThat(context.sent()).extracting(RecordingContext.Sent::state)
            .containsExactly("lists-loop", "lists-loop", "preprocess");
        assertThat(context.sent().get(2).text()).as("the other list's id replaced by ours")
            .contains("List-Id: <" + local + ".example.com>").doesNotContain("other.example.com");
    }

    @Test
    void replyToTheListAndPostsLargerThanTheListAccepts() throws Exception {
        String name = addList("replies", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListReplyTo: LIST", "ieListMaxMessageSize: 2000");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("friend@remote.invalid", name, "small"));
        manager.service(post("friend@remote.invalid", name, "big", "X-Padding", "x".repeat(3000)));

        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("preprocess",
            "lists-rejected");
        assertThat(context.sent().get(0).text()).contains("Reply-To: " + name);
        assertThat(context.sent().get(1).errorMessage()).startsWith("The message (").endsWith(
            "octets) is larger than the list " + name + " accepts (2000 octets)");
    }

    @Test
    void unreachableDirectoryLeavesTheMailUnchangedForALaterAttempt() throws Exception {
        String name = addList("down", "ieListPosting: OPEN", "ieListMember: alice@example.com");
        LDAPConnectionPool closedPool = new LDAPConnectionPool(new SingleServerSet("127.0.0.1",
            directory.ldapPort()), new SimpleBindRequest("uid=admin,ou=system", directory.adminPassword()), 1, 1);
        closedPool.close();
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = new DistributionListManager(new LdapListDirectory(closedPool, SUFFIX),
            new LdapBounceRecords(closedPool), new RecordedDns());
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());

        Mail mail = post("friend@remote.invalid", name, "later");
        manager.service(mail);

        assertThat(mail.getState()).isEqualTo("directory-unavailable");
        assertThat(mail.getRecipients()).containsExactly(address(name));
        assertThat(context.sent()).isEmpty();
    }

    @Test
    void refusesAnUnknownParameter() {
        DistributionListManager manager = new DistributionListManager(lists, new LdapBounceRecords(pool), new RecordedDns());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.init(FakeMailetConfig.builder()
                .mailetName("lists").setProperty("rejectProcesor", "x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("rejectProcesor");
    }

    private DistributionListManager manager(RecordingContext context) throws MessagingException {
        DistributionListManager manager = new DistributionListManager(lists, new LdapBounceRecords(pool), new RecordedDns());
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());
        return manager;
    }

    /** A post as the Message Switch leaves it: the list recipient routed DL. */
    private static Mail post(String from, String list, String subject, String... extraField) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder()
            .addFrom(from).addToRecipient(list).setSubject(subject).setText("Hello list.")
            .addHeader("Message-ID", "<original@example.com>");
        if (extraField.length == 2) {
            message.addHeader(extraField[0], extraField[1]);
        }
        // James' own mail (FakeMail reports a size of 0, whatever the message)
        Mail mail = MailImpl.builder().name("post-" + UUID.randomUUID()).sender(from).addRecipient(list)
            .mimeMessage(message).build();
        RouteAttribute.write(mail, Map.of(address(list), new Route(Channel.DL, list)));
        return mail;
    }
}
