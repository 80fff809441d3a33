package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.apache.james.mailbox.MailboxManager;
import org.switchboard.mailets.lists.ArchiveOrder;
import org.switchboard.mailets.lists.BounceReminders;
import org.switchboard.mailets.lists.DeliveryMode;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.DistributionListManager;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.mailets.lists.ListArchive;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.OneClickLinks;
import org.switchboard.mailets.lists.PostingPolicy;
import org.switchboard.mailets.lists.SubscriptionPolicy;
import org.switchboard.mailets.lists.UnsubscribeTokens;
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
    void memberPostGoesOnceToEveryImmediateMemberWithListHeadersAndItsVerpBounceAddress() throws Exception {
        String name = addList("post", "ieListMember: alice@example.com", "ieListDigestMember: bob@example.com",
            "ieListSubjectPrefix: [post]");
        RecordingContext context = new RecordingContext();

        Mail mail = post("alice@example.com", name, "Hello");
        manager(context).service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        // a small list: one copy per immediate member, each from its VERP bounce address; bob reads digests
        assertThat(context.sent()).hasSize(1);
        String local = name.substring(0, name.indexOf('@'));
        RecordingContext.Sent sent = context.sent().get(0);
        assertThat(sent.recipients()).containsExactly(address("alice@example.com"));
        assertThat(sent.sender()).contains(address(local + "-bounces+alice=example.com@example.com"));
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
    void eachVerpCopyCarriesItsMembersOneClickLinkAndASharedCopyOnlyTheMailto() throws Exception {
        String verp = addList("oneclick", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListMember: carol@example.com");
        String shared = addList("oneclickshared", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListMember: carol@example.com", "ieListVerp: OFF");
        UnsubscribeTokens tokens = new UnsubscribeTokens(new byte[32]);
        RecordingContext context = new RecordingContext();
        LdapBounceRecords records = new LdapBounceRecords(pool);
        DistributionListManager manager = new DistributionListManager(lists,
            ListTestMailboxes.digests(context, records), ListTestMailboxes.archive(), records, new RecordedDns(),
            new BounceReminders(lists, records, java.time.Clock.systemUTC()),
            OneClickLinks.to("lists.example.com", tokens));
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());

        manager.service(post("friend@remote.invalid", verp, "Hello"));
        manager.service(post("friend@remote.invalid", shared, "Hello"));

        assertThat(context.sent()).hasSize(3);
        for (RecordingContext.Sent copy : context.sent().subList(0, 2)) {
            MailAddress member = copy.recipients().iterator().next();
            assertThat(copy.text()).contains("List-Unsubscribe: <https://lists.example.com/lists/unsubscribe?list="
                    + verp.replace("@", "%40") + "&member=" + member.asString().replace("@", "%40") + "&token="
                    + tokens.token(address(verp), member) + ">, <mailto:" + verp.replace("@", "-unsubscribe@") + ">")
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        }
        assertThat(context.sent().get(2).recipients()).hasSize(2);
        assertThat(context.sent().get(2).text())
            .contains("List-Unsubscribe: <mailto:" + shared.replace("@", "-unsubscribe@") + ">")
            .doesNotContain("https://").doesNotContain("List-Unsubscribe-Post");
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
            ListTestMailboxes.digests(context, new LdapBounceRecords(closedPool)), ListTestMailboxes.archive(),
            new LdapBounceRecords(closedPool),
            new RecordedDns());
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());

        Mail mail = post("friend@remote.invalid", name, "later");
        manager.service(mail);

        assertThat(mail.getState()).isEqualTo("directory-unavailable");
        assertThat(mail.getRecipients()).containsExactly(address(name));
        assertThat(context.sent()).isEmpty();
    }

    @Test
    void digestMembersGetOneDigestOfExactlyThePostsSinceTheLastOne() throws Exception {
        String name = addList("digest", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListDigestMember: bob@example.com", "ieListDigestMember: carol@example.com");
        RecordingContext context = new RecordingContext();
        MailboxManager mailboxes = ListTestMailboxes.mailboxManager();
        ListDigests digests = new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool));
        DistributionListManager manager = manager(context, digests, new ListArchive(mailboxes));
        DistributionList list = lists.find(address(name)).orElseThrow();

        manager.service(post("friend@remote.invalid", name, "first", "Message-ID", "<first@example.com>"));
        manager.service(post("friend@remote.invalid", name, "second", "Message-ID", "<second@example.com>"));
        assertThat(context.sent()).hasSize(2).allSatisfy(sent -> assertThat(sent.recipients()).as("immediate only")
            .containsExactly(address("alice@example.com")));

        assertThat(digests.send(list)).isEqualTo(2);
        RecordingContext.Sent digest = context.sent().get(2);
        assertThat(digest.recipients()).containsExactlyInAnyOrder(address("bob@example.com"),
            address("carol@example.com"));
        assertThat(digest.state()).isEqualTo("preprocess");
        assertThat(digest.inputChannel()).contains(Channel.DL);
        assertThat(digest.sender()).contains(list.commandAddress(DistributionList.BOUNCES));
        assertThat(digest.text()).contains("multipart/digest").contains("Today's Topics:")
            .contains("   1. first (friend@remote.invalid)").contains("   2. second (friend@remote.invalid)")
            .contains("Message-ID: <first@example.com>").contains("Message-ID: <second@example.com>")
            .contains("List-Id: <" + list.listId() + ">");

        manager.service(post("friend@remote.invalid", name, "third", "Message-ID", "<third@example.com>"));
        assertThat(digests.send(list)).as("only what came since the last digest").isEqualTo(1);
        assertThat(context.sent().get(4).text()).contains("<third@example.com>").doesNotContain("<first@example.com>")
            .doesNotContain("<second@example.com>");
        assertThat(digests.send(list)).as("nothing new").isZero();
        assertThat(context.sent()).hasSize(5);
    }

    @Test
    void aDigestGoesWhenFullOrWhenItsScheduleCame() throws Exception {
        String full = addList("full", "ieListPosting: OPEN", "ieListDigestMember: bob@example.com",
            "ieListDigestMaxMessages: 2");
        String daily = addList("daily", "ieListPosting: OPEN", "ieListDigestMember: bob@example.com",
            "ieListDigestInterval: DAILY 08:00");
        AtSeven at = atSeven();
        RecordingContext context = at.context();
        MutableClock clock = at.clock();
        ListDigests digests = at.digests();
        DistributionListManager manager = at.manager();

        manager.service(post("friend@remote.invalid", full, "one"));
        assertThat(context.sent()).isEmpty();
        manager.service(post("friend@remote.invalid", full, "two"));
        assertThat(context.sent()).as("two posts fill the digest").hasSize(1);
        assertThat(context.sent().get(0).text()).contains("2 messages");

        manager.service(post("friend@remote.invalid", daily, "early"));
        DistributionList dailyList = lists.find(address(daily)).orElseThrow();
        assertThat(digests.sendIfDue(dailyList)).as("before 08:00").isZero();
        clock.advance(java.time.Duration.ofMinutes(59));
        assertThat(digests.sendIfDue(dailyList)).as("07:59").isZero();
        clock.advance(java.time.Duration.ofMinutes(2));
        assertThat(digests.sendIfDue(dailyList)).as("08:01").isEqualTo(1);
        manager.service(post("friend@remote.invalid", daily, "later"));
        assertThat(digests.sendIfDue(dailyList)).as("came after 08:00: waits for tomorrow").isZero();
        assertThat(context.sent()).hasSize(2);
    }

    @Test
    void theSchedulerSendsTheDigestsThatAreDue() throws Exception {
        String name = addList("scheduled", "ieListPosting: OPEN", "ieListDigestMember: bob@example.com",
            "ieListDigestInterval: DAILY 08:00");
        AtSeven at = atSeven();
        RecordingContext context = at.context();
        MutableClock clock = at.clock();
        at.manager().service(post("friend@remote.invalid", name, "kept"));
        EachListScheduler scheduler = new EachListScheduler(lists, at.digests(), new ListArchive(ListTestMailboxes.mailboxManager()));

        scheduler.check();
        assertThat(context.sent()).as("07:00").isEmpty();
        clock.advance(java.time.Duration.ofHours(2));
        scheduler.check();
        assertThat(context.sent()).singleElement().satisfies(digest -> assertThat(digest.recipients())
            .containsExactly(address("bob@example.com")));
        scheduler.check();
        assertThat(context.sent()).as("sent once").hasSize(1);
    }

    @Test
    void keptPostsOutliveTheDigestsObject() throws Exception {
        String name = addList("restart", "ieListPosting: OPEN", "ieListDigestMember: bob@example.com");
        RecordingContext context = new RecordingContext();
        MailboxManager mailboxes = ListTestMailboxes.mailboxManager();
        manager(context, new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool)), new ListArchive(mailboxes))
            .service(post("friend@remote.invalid", name, "kept"));

        // what a restart keeps is the store: a new ListDigests finds the post there
        ListDigests afterRestart = new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool));
        assertThat(afterRestart.send(lists.find(address(name)).orElseThrow())).isEqualTo(1);
        assertThat(context.sent()).hasSize(1);
    }

    @Test
    void aClosedListsArchiveFollowsItsMembersWithoutWaitingForAPost() throws Exception {
        String name = addList("closedarchive", "ieListPosting: MEMBERS", "ieListMember: alice@example.com",
            "ieListArchive: TRUE");
        RecordingContext context = new RecordingContext();
        MailboxManager mailboxes = ListTestMailboxes.mailboxManager();
        ListArchive archive = new ListArchive(mailboxes);
        manager(context, new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool)), archive)
            .service(post("alice@example.com", name, "First"));
        assertThat(archiveReaders(mailboxes, name)).containsExactly("alice@example.com");

        DistributionList list = lists.find(address(name)).orElseThrow();
        lists.removeMember(list, new MailAddress("alice@example.com"));
        lists.setMember(list, new MailAddress("carol@example.com"), DeliveryMode.IMMEDIATE);
        new EachListScheduler(lists, new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool)), archive).check();

        assertThat(archiveReaders(mailboxes, name)).as("alice left, carol joined").containsExactly("carol@example.com");
    }

    private static List<String> archiveReaders(MailboxManager mailboxes, String list) throws Exception {
        MailboxSession session = mailboxes.createSystemSession(Username.of(list));
        return mailboxes.listRights(MailboxPath.forUser(session.getUser(), ListArchive.MAILBOX), session).getEntries()
            .keySet().stream().map(MailboxACL.EntryKey::getName).toList();
    }

    @Test
    void archivedPostsAreListedByDateThreadAndAuthor() throws Exception {
        String name = addList("archived", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListArchive: TRUE");
        String local = name.substring(0, name.indexOf('@'));
        RecordingContext context = new RecordingContext();
        MailboxManager mailboxes = ListTestMailboxes.mailboxManager();
        ListArchive archive = new ListArchive(mailboxes);
        DistributionListManager manager = manager(context, new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool)), archive);

        manager.service(post("zed@example.com", name, "Plan", "Message-ID", "<plan@x>", "Date",
            "Mon, 7 Dec 2026 09:00:00 +0000"));
        manager.service(post("amy@example.com", name, "Other", "Message-ID", "<other@x>", "Date",
            "Mon, 7 Dec 2026 09:10:00 +0000"));
        manager.service(post("amy@example.com", name, "Re: Plan", "Message-ID", "<re1@x>", "In-Reply-To", "<plan@x>",
            "Date", "Mon, 7 Dec 2026 09:20:00 +0000"));
        manager.service(post("bob@example.com", name, "Re: Re: Plan", "Message-ID", "<re2@x>", "References",
            "<plan@x> <re1@x>", "Date", "Mon, 7 Dec 2026 09:30:00 +0000"));

        assertThat(context.sent().get(0).text()).contains("List-Archive: <mailto:" + local
            + "-request@example.com?subject=archive>");
        DistributionList list = lists.find(address(name)).orElseThrow();
        assertThat(archive.listing(list, ArchiveOrder.DATE)).hasSize(4).satisfiesExactly(
            line -> assertThat(line).contains("zed@example.com").endsWith("Plan  <plan@x>"),
            line -> assertThat(line).endsWith("Other  <other@x>"),
            line -> assertThat(line).endsWith("Re: Plan  <re1@x>"),
            line -> assertThat(line).endsWith("Re: Re: Plan  <re2@x>"));
        assertThat(archive.listing(list, ArchiveOrder.THREAD)).satisfiesExactly(
            line -> assertThat(line).endsWith("zed@example.com  Plan  <plan@x>"),
            line -> assertThat(line).endsWith("amy@example.com    Re: Plan  <re1@x>"),
            line -> assertThat(line).endsWith("bob@example.com      Re: Re: Plan  <re2@x>"),
            line -> assertThat(line).endsWith("amy@example.com  Other  <other@x>"));
        assertThat(archive.listing(list, ArchiveOrder.AUTHOR)).satisfiesExactly(
            line -> assertThat(line).contains("amy@example.com").endsWith("<other@x>"),
            line -> assertThat(line).contains("amy@example.com").endsWith("<re1@x>"),
            line -> assertThat(line).contains("bob@example.com"),
            line -> assertThat(line).contains("zed@example.com"));
    }

    @Test
    void refusesAnUnknownParameter() {
        DistributionListManager manager = new DistributionListManager(lists,
            ListTestMailboxes.digests(new RecordingContext(), new LdapBounceRecords(pool)), ListTestMailboxes.archive(), new LdapBounceRecords(pool),
            new RecordedDns());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.init(FakeMailetConfig.builder()
                .mailetName("lists").setProperty("rejectProcesor", "x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("rejectProcesor");
    }

    /** A list manager whose digests see a clock that starts at 07:00 UTC. */
    private record AtSeven(RecordingContext context, MutableClock clock, ListDigests digests,
                           DistributionListManager manager) {
    }

    private AtSeven atSeven() throws MessagingException {
        RecordingContext context = new RecordingContext();
        MailboxManager mailboxes = ListTestMailboxes.mailboxManager();
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-12-07T07:00:00Z"));
        ListDigests digests = new ListDigests(mailboxes, context.context(), new LdapBounceRecords(pool), clock);
        return new AtSeven(context, clock, digests, manager(context, digests, new ListArchive(mailboxes)));
    }

    private DistributionListManager manager(RecordingContext context) throws MessagingException {
        return manager(context, ListTestMailboxes.digests(context, new LdapBounceRecords(pool)), ListTestMailboxes.archive());
    }

    private DistributionListManager manager(RecordingContext context, ListDigests digests, ListArchive archive)
        throws MessagingException {
        DistributionListManager manager = new DistributionListManager(lists, digests, archive,
            new LdapBounceRecords(pool), new RecordedDns());
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());
        return manager;
    }

    private static java.util.Optional<String> messageId(String... extraField) {
        for (int i = 0; i + 1 < extraField.length; i += 2) {
            if (extraField[i].equals("Message-ID")) {
                return java.util.Optional.of(extraField[i + 1]);
            }
        }
        return java.util.Optional.empty();
    }

    /** A post as the Message Switch leaves it: the list recipient routed DL. */
    /** {@code extraField}: names and values of more header fields, in pairs. */
    private static Mail post(String from, String list, String subject, String... extraField) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder()
            .addFrom(from).addToRecipient(list).setSubject(subject).setText("Hello list.")
            .addHeader("Message-ID", messageId(extraField).orElse("<original@example.com>"));
        for (int i = 0; i + 1 < extraField.length; i += 2) {
            if (!extraField[i].equals("Message-ID")) {
                message.addHeader(extraField[i], extraField[i + 1]);
            }
        }
        // James' own mail (FakeMail reports a size of 0, whatever the message)
        Mail mail = MailImpl.builder().name("post-" + UUID.randomUUID()).sender(from).addRecipient(list)
            .mimeMessage(message).build();
        RouteAttribute.write(mail, Map.of(address(list), new Route(Channel.DL, list)));
        return mail;
    }
}
