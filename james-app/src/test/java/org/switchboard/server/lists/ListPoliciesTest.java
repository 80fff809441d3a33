package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.lists.DistributionListManager;
import org.switchboard.mailets.lists.HeldPostExpiry;
import org.switchboard.mailets.lists.HeldPosts;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.ListModeration;
import org.switchboard.mailets.lists.ListRequests;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;
import org.switchboard.server.smtpd.RecordedDns;


/**
 * Moderation holds ({@link ListModeration} and the owner's decision in {@link ListRequests}), bans and DMARC
 * mitigation ({@link DistributionListManager}, with DNS answers from a table) against a real embedded ApacheDS.
 */
class ListPoliciesTest extends ListDirectoryTest {
    private static final Pattern TOKEN = Pattern.compile("\\b([0-9a-f]{40})\\b");
    private static final RecordedDns DNS = new RecordedDns()
        .txt("_dmarc.strict.example", "v=DMARC1; p=reject; rua=mailto:dmarc@strict.example")
        .txt("_dmarc.junk.example", "v=DMARC1; p=quarantine")
        .txt("_dmarc.relaxed.example", "v=DMARC1; p=none")
        .txt("_dmarc.parent.example", "v=DMARC1; p=none; sp=reject")
        .txt("_dmarc.twice.example", "v=DMARC1; p=reject")
        .txt("_dmarc.twice.example", "v=DMARC1; p=none")
        .txt("_dmarc.example.com", "v=DMARC1; p=reject");

    private final HeldPosts held = new HeldPosts(new MemoryMailRepository());

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    private DistributionListManager manager(RecordingContext context) throws Exception {
        DistributionListManager manager = new DistributionListManager(lists,
            ListTestMailboxes.digests(new RecordingContext(), new LdapBounceRecords(pool)), ListTestMailboxes.archive(), new LdapBounceRecords(pool), DNS,
            clock);
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());
        return manager;
    }

    private ListModeration moderation(RecordingContext context) throws Exception {
        ListModeration mailet = new ListModeration(lists, held, clock);
        mailet.init(FakeMailetConfig.builder().mailetName("moderation").mailetContext(context.context()).build());
        return mailet;
    }

    private ListRequests requests(RecordingContext context) throws Exception {
        ListRequests mailet = new ListRequests(lists, ListTestMailboxes.archive(), held, new LdapBounceRecords(pool), clock);
        mailet.init(FakeMailetConfig.builder().mailetName("requests").mailetContext(context.context()).build());
        return mailet;
    }

    private static Mail post(String from, String list) throws Exception {
        return post(from, from, list);
    }

    /** A post as the Message Switch leaves it: envelope sender, From field (may have a name), the list routed DL. */
    private static Mail post(String sender, String from, String list) throws Exception {
        Mail mail = MailImpl.builder().name("post-" + UUID.randomUUID()).sender(sender).addRecipient(list)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addHeader("From", from).addToRecipient(list)
                .setSubject("Rejected proposal, again").setText("Hello list."))
            .build();
        RouteAttribute.write(mail, Map.of(address(list), new Route(Channel.DL, list)));
        return mail;
    }

    private static Mail command(String from, String to, String subject) throws Exception {
        return MailImpl.builder().name("command-" + UUID.randomUUID()).sender(from).addRecipient(to)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient(to).setSubject(subject)
                .setText("(reply)"))
            .build();
    }

    private static String token(String text) {
        Matcher matcher = TOKEN.matcher(text);
        assertThat(matcher.find()).as(text).isTrue();
        return matcher.group(1);
    }

    /** A non-member's post to the list, held: the owner's notice. */
    private RecordingContext.Sent hold(String list) throws Exception {
        RecordingContext context = new RecordingContext();
        Mail post = post("stranger@remote.example", list);
        manager(context).service(post);
        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("lists-moderation");
        moderation(context).service(post);
        assertThat(post.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.sent()).hasSize(3);
        assertThat(context.sent().get(1).recipients()).containsExactly(address("owner@example.com"));
        assertThat(context.sent().get(2).recipients()).containsExactly(address("stranger@remote.example"));
        assertThat(context.sent().get(2).text()).contains("awaits moderation");
        return context.sent().get(1);
    }

    @Test
    void heldPostApprovedByTheOwnerGoesToTheMembers() throws Exception {
        String name = addList("moderated", "ieListPosting: MODERATED",
            "ieListMember: alice@example.com", "ieListOwnerAddress: owner@example.com");
        RecordingContext memberPost = new RecordingContext();
        manager(memberPost).service(post("alice@example.com", name));
        assertThat(memberPost.sent()).extracting(RecordingContext.Sent::state).containsExactly("preprocess");

        String token = token(hold(name).text());
        assertThat(held.describe()).anySatisfy(line -> assertThat(line).startsWith(token).contains(name));

        RecordingContext context = new RecordingContext();
        ListRequests requests = requests(context);
        requests.service(command("alice@example.com", name.replace("@", "-request@"), "approve " + token));
        assertThat(context.sent()).extracting(RecordingContext.Sent::text).first().asString().contains("Not done");

        requests.service(command("owner@example.com", name.replace("@", "-request@"),
            "Re: Held post " + token + ": stranger@remote.example to " + name));
        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("root", "lists", "root");
        assertThat(context.sent().get(1).recipients()).containsExactly(address(name));
        assertThat(context.sent().get(1).text()).contains("Rejected proposal, again");
        assertThat(context.sent().get(2).text()).contains("approved");
        assertThat(held.describe()).noneSatisfy(line -> assertThat(line).startsWith(token));

        // what the owner approved passes the list manager
        Mail approved = post("stranger@remote.example", name);
        approved.setAttribute(new Attribute(DistributionListManager.APPROVED, AttributeValue.of(name)));
        RecordingContext released = new RecordingContext();
        manager(released).service(approved);
        assertThat(released.sent()).extracting(RecordingContext.Sent::state).containsExactly("preprocess");
        assertThat(released.sent().get(0).recipients()).containsExactly(address("alice@example.com"));
    }

    @Test
    void heldPostRejectedGoesBackToThePosterAndDiscardedIsDropped() throws Exception {
        String name = addList("rejects", "ieListPosting: MODERATED",
            "ieListMember: alice@example.com", "ieListOwnerAddress: owner@example.com");
        String rejected = token(hold(name).text());
        String discarded = token(hold(name).text());
        RecordingContext context = new RecordingContext();
        ListRequests requests = requests(context);

        requests.service(command("owner@example.com", name.replace("@", "-request@"), "reject " + rejected));
        requests.service(command("owner@example.com", name.replace("@", "-request@"), "Discard " + discarded));

        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("lists-rejected", "root",
            "root");
        assertThat(context.sent().get(0).errorMessage()).isEqualTo("The owner of the list " + name
            + " rejected the post");
        assertThat(context.sent().get(2).text()).contains("discarded");
        assertThat(held.describe()).noneSatisfy(line -> assertThat(line).contains(name));
    }

    @Test
    void heldPostWhoseTokenExpiredIsDropped() throws Exception {
        String name = addList("expiry", "ieListPosting: MODERATED", "ieListMember: alice@example.com",
            "ieListOwnerAddress: owner@example.com");
        String token = token(hold(name).text());
        clock.advance(java.time.Duration.ofDays(HeldPosts.DEFAULT_TIMEOUT_DAYS).plusMinutes(1));
        RecordingContext context = new RecordingContext();

        requests(context).service(command("owner@example.com", name.replace("@", "-request@"), "approve " + token));

        assertThat(context.sent()).extracting(RecordingContext.Sent::recipients).containsExactly(
            List.of(address("stranger@remote.example")), List.of(address("owner@example.com")));
        assertThat(context.sent().get(0).text()).contains("no owner of the list decided on it in time");
        assertThat(context.sent().get(1).text()).contains("Not done");
        assertThat(held.describe()).noneSatisfy(line -> assertThat(line).startsWith(token));
    }

    @Test
    void heldPostsExpireOnTheirHoldTimeoutWithANoticeToThePoster() throws Exception {
        String name = addList("holdtimeout", "ieListPosting: MODERATED", "ieListMember: alice@example.com",
            "ieListOwnerAddress: owner@example.com");
        String token = token(hold(name).text());
        RecordingContext context = new RecordingContext();
        HeldPostExpiry expiry = new HeldPostExpiry(lists, held, context.context(), clock);

        // the clock and the repository are shared by this class's tests: only this post is looked at
        clock.advance(java.time.Duration.ofDays(HeldPosts.DEFAULT_TIMEOUT_DAYS).minusMinutes(1));
        expiry.expireDue();
        assertThat(held.tokens()).as("not yet").contains(token);
        assertThat(lists.request(token)).isPresent();

        clock.advance(java.time.Duration.ofMinutes(2));
        assertThat(expiry.expireDue()).isPositive();
        assertThat(held.tokens()).doesNotContain(token);
        assertThat(lists.request(token)).as("the pending request is gone with it").isEmpty();
        assertThat(context.sent()).filteredOn(notice -> notice.text().contains("Your post to " + name + " expired"))
            .singleElement().satisfies(notice -> assertThat(notice.recipients())
                .containsExactly(address("stranger@remote.example")));
        assertThat(expiry.expireDue()).as("once").isZero();
    }

    @Test
    void holdTimeoutIsConfigurable() throws Exception {
        String name = addList("shorthold", "ieListPosting: MODERATED", "ieListMember: alice@example.com",
            "ieListOwnerAddress: owner@example.com");
        ListModeration moderation = new ListModeration(lists, held, clock);
        RecordingContext context = new RecordingContext();
        moderation.init(FakeMailetConfig.builder().mailetName("moderation").mailetContext(context.context())
            .setProperty("holdTimeout", "2h").build());
        moderation.service(post("stranger@remote.example", name));
        String token = token(context.sent().get(0).text());
        HeldPostExpiry expiry = new HeldPostExpiry(lists, held, context.context(), clock);
        clock.advance(java.time.Duration.ofHours(2).minusSeconds(1));
        assertThat(expiry.expired(token)).isFalse();

        clock.advance(java.time.Duration.ofSeconds(2));
        assertThat(expiry.expired(token)).isTrue();
        expiry.expireDue();
        assertThat(held.tokens()).doesNotContain(token);
    }

    @Test
    void bannedAddressDomainGlobAndPatternMayNeitherPostNorJoin() throws Exception {
        String name = addList("bans", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListBan: ^.*@spam\\.example$", "ieListBan: *@*.glob.example", "ieListBan: @domain.example",
            "ieListBan: Exact@Example.org", "ieListBan: not a ban");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        for (String poster : List.of("x@spam.example", "y@mx.glob.example", "z@domain.example", "exact@example.org",
            "fine@spam.example.org", "fine@glob.example")) {
            manager.service(post(poster, name));
        }

        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("lists-rejected",
            "lists-rejected", "lists-rejected", "lists-rejected", "preprocess", "preprocess");
        assertThat(context.sent().get(0).errorMessage()).isEqualTo("x@spam.example is banned from the list " + name);

        RecordingContext join = new RecordingContext();
        requests(join).service(command("x@spam.example", name.replace("@", "-subscribe@"), "subscribe"));
        assertThat(join.sent()).hasSize(1);
        assertThat(join.sent().get(0).text()).contains("You may not join");
    }

    @Test
    void aBannedFromAuthorIsRefusedWhateverTheEnvelopeSender() throws Exception {
        String name = addList("authorbans", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListBan: @spam.example");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("innocent@example.org", "\"Spammer\" <x@spam.example>", name));
        manager.service(post("innocent@example.org", "Someone <y@example.org>", name));

        assertThat(context.sent()).extracting(RecordingContext.Sent::state).containsExactly("lists-rejected",
            "preprocess");
        assertThat(context.sent().get(0).errorMessage())
            .isEqualTo("The author x@spam.example (From:) is banned from the list " + name);
    }

    @Test
    void postsFromStrictDmarcDomainsGetTheListAsFromOrAreWrapped() throws Exception {
        String munge = addList("munge", "description: Talk", "ieListPosting: OPEN",
            "ieListMember: alice@example.com");
        String wrap = addList("wrap", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListDmarc: WRAP");
        String none = addList("none", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListDmarc: none");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context);

        manager.service(post("pat@strict.example", "Pat Doe <pat@strict.example>", munge));
        manager.service(post("q@junk.example", "q@junk.example", munge));
        manager.service(post("r@sub.parent.example", "r@sub.parent.example", munge));
        manager.service(post("s@relaxed.example", "s@relaxed.example", munge));
        manager.service(post("t@parent.example", "t@parent.example", munge));
        manager.service(post("u@twice.example", "u@twice.example", munge));
        manager.service(post("pat@strict.example", "Pat Doe <pat@strict.example>", wrap));
        manager.service(post("pat@strict.example", "Pat Doe <pat@strict.example>", none));
        manager.service(post("own@example.com", "own@example.com", munge));
        manager.service(post("own@mail.example.com", "own@mail.example.com", munge));

        List<String> texts = context.sent().stream().map(RecordingContext.Sent::text).toList();
        assertThat(texts.get(0)).contains("From: Pat Doe via Talk <" + munge + ">")
            .contains("Reply-To: Pat Doe <pat@strict.example>");
        assertThat(texts.get(1)).as("quarantine").contains("From: \"q@junk.example via Talk\" <" + munge + ">");
        assertThat(texts.get(2)).as("sp= of the organizational domain").contains("via Talk");
        assertThat(texts.get(3)).as("p=none").contains("From: s@relaxed.example").doesNotContain("via Talk");
        assertThat(texts.get(4)).as("sp= is for subdomains only").doesNotContain("via Talk");
        assertThat(texts.get(5)).as("two records: none").doesNotContain("via Talk");
        String wrapName = wrap.substring(0, wrap.indexOf('@'));
        assertThat(texts.get(6)).contains("From: Pat Doe via " + wrapName + " <" + wrap + ">")
            .contains("multipart/mixed").contains("Content-Type: message/rfc822")
            .contains("From: Pat Doe <pat@strict.example>").contains("List-Id: <");
        assertThat(texts.get(7)).contains("From: Pat Doe <pat@strict.example>").doesNotContain("via");
        assertThat(texts.get(8)).as("the list's own domain").contains("From: own@example.com").doesNotContain("via");
        assertThat(texts.get(9)).as("its subdomain").contains("From: own@mail.example.com").doesNotContain("via");
    }
}
