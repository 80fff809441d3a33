package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.lists.BounceRecord;
import org.switchboard.mailets.lists.BounceReminders;
import org.switchboard.mailets.lists.BounceState;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.DistributionListManager;
import org.switchboard.mailets.lists.HeldPosts;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.ListBounces;
import org.switchboard.mailets.lists.ListRequests;
import org.switchboard.mailets.lists.OneClickLinks;
import org.switchboard.mailets.lists.VerpMode;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;
import org.switchboard.server.smtpd.RecordedDns;


/**
 * Bounce processing ({@link ListBounces}, {@link LdapBounceRecords}) and what the posting side does with it
 * ({@link DistributionListManager}: VERP, disabled members, reminders, removal), against a real embedded ApacheDS.
 */
class ListBouncesTest extends ListDirectoryTest {
    private LdapBounceRecords records;

    @BeforeAll
    void openRecords() {
        records = new LdapBounceRecords(pool);
    }

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    private DistributionList list(String name) throws Exception {
        return lists.find(address(name)).orElseThrow();
    }

    /** Stores a record of the member whose delivery bounce processing disabled now. */
    private void disable(DistributionList list, String member) throws Exception {
        records.save(list, BounceRecord.none(address(member))
            .counted(org.switchboard.mailets.lists.BounceKind.HARD, java.time.LocalDate.of(2026, 12, 7),
                Duration.ofDays(7)).disabledAt(clock.instant()));
    }

    private ListBounces bounces(RecordingContext context) throws MessagingException {
        ListBounces mailet = new ListBounces(lists, records, clock);
        mailet.init(FakeMailetConfig.builder().mailetName("list-bounces").mailetContext(context.context()).build());
        return mailet;
    }

    private DistributionListManager manager(RecordingContext context, String... parameters) throws MessagingException {
        DistributionListManager manager = new DistributionListManager(lists,
            ListTestMailboxes.digests(new RecordingContext(), records), ListTestMailboxes.archive(), records, new RecordedDns(),
            clock);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("lists")
            .mailetContext(context.context());
        for (int i = 0; i + 1 < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        manager.init(config.build());
        return manager;
    }

    /** What James' Bounce mailet sends back for a copy that could not be delivered, to that bounce address. */
    private static Mail plainBounce(String to) throws Exception {
        return MailImpl.builder().name("bounce-" + UUID.randomUUID()).addRecipient(to)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("postmaster@example.com").addToRecipient(to)
                .setSubject("[BOUNCE]").setText("Hi. This is the James mail server at example.com.\nI'm afraid I"
                    + " wasn't able to deliver your message.\nError message:\n550 5.1.1 no such user here\n"))
            .build();
    }

    private static Mail dsn(String to, String failed, String action, String status) throws Exception {
        return MailImpl.builder().name("dsn-" + UUID.randomUUID()).addRecipient(to)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("MAILER-DAEMON@mx.example.org")
                .addToRecipient(to).setSubject("Delivery Status Notification")
                .setMultipartWithBodyParts(
                    MimeMessageBuilder.bodyPartBuilder().data("Your message could not be delivered."),
                    MimeMessageBuilder.bodyPartBuilder().type("message/delivery-status")
                        .data("Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; " + failed
                            + "\r\nAction: " + action + "\r\nStatus: " + status + "\r\n")))
            .build();
    }

    private static Mail post(String from, String list) throws Exception {
        Mail mail = MailImpl.builder().name("post-" + UUID.randomUUID()).sender(from).addRecipient(list)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient(list)
                .setSubject("news").setText("Hello list."))
            .build();
        RouteAttribute.write(mail, Map.of(address(list), new Route(Channel.DL, list)));
        return mail;
    }

    @Test
    void verpBounceCountsOncePerDayThenDisablesTheMemberWithNotices() throws Exception {
        String name = addList("score", "ieListMember: alice@example.com",
            "ieListMember: bob@example.org", "ieListOwnerAddress: owner@example.com", "ieListBounceThreshold: 2.0");
        String verp = name.replace("@", "-bounces+bob=example.org@");
        RecordingContext context = new RecordingContext();
        ListBounces mailet = bounces(context);

        Mail first = plainBounce(verp);
        mailet.service(first);
        mailet.service(plainBounce(verp));

        assertThat(first.getState()).as("counted: not kept").isEqualTo(Mail.GHOST);
        BounceRecord bob = records.state(list(name)).of(address("bob@example.org"));
        assertThat(bob.score()).as("one bounce a day").isEqualTo(1.0);
        assertThat(bob.isDisabled()).isFalse();
        assertThat(context.sent()).isEmpty();

        clock.advance(Duration.ofDays(1));
        mailet.service(plainBounce(verp));

        bob = records.state(list(name)).of(address("bob@example.org"));
        assertThat(bob.score()).isEqualTo(2.0);
        assertThat(bob.isDisabled()).isTrue();
        assertThat(context.sent()).extracting(RecordingContext.Sent::recipients).containsExactly(
            List.of(address("bob@example.org")), List.of(address("owner@example.com")));
        assertThat(context.sent().get(0).text()).contains("Your delivery from " + name + " is disabled");
        assertThat(records.state(list(name)).of(address("alice@example.com")).score()).isZero();
    }

    @Test
    void deliveryStatusReportToThePlainBounceAddressIsAttributedToTheFailedMember() throws Exception {
        String name = addList("dsn", "ieListMember: carol@example.org",
            "ieListMember: dave@example.org");
        String bounceAddress = name.replace("@", "-bounces@");
        RecordingContext context = new RecordingContext();
        ListBounces mailet = bounces(context);

        mailet.service(dsn(bounceAddress, "carol@example.org", "failed", "4.2.2"));
        Mail delayed = dsn(bounceAddress, "dave@example.org", "delayed", "4.4.1");
        mailet.service(delayed);
        Mail stranger = dsn(bounceAddress, "stranger@example.org", "failed", "5.1.1");
        mailet.service(stranger);

        BounceState state = records.state(list(name));
        assertThat(state.of(address("carol@example.org")).score()).as("soft").isEqualTo(0.5);
        assertThat(state.records()).containsOnlyKeys(address("carol@example.org"));
        assertThat(delayed.getState()).as("a delay is no failure: kept").isNotEqualTo(Mail.GHOST);
        assertThat(stranger.getState()).as("no member: kept").isNotEqualTo(Mail.GHOST);
    }

    @Test
    void disabledMemberGetsNoPostsThenRemindersThenIsRemoved() throws Exception {
        String name = addList("disabled", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListMember: bob@example.org", "ieListOwnerAddress: owner@example.com");
        DistributionList list = list(name);
        disable(list, "bob@example.org");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context, "reminders", "1", "reminderInterval", "7d");

        manager.service(post("friend@remote.invalid", name));
        assertThat(context.sent()).extracting(RecordingContext.Sent::recipients)
            .containsExactly(List.of(address("alice@example.com")));

        clock.advance(Duration.ofDays(7));
        manager.service(post("friend@remote.invalid", name));
        assertThat(context.sent()).hasSize(3);
        assertThat(context.sent().get(1).text()).contains("is still disabled");
        assertThat(context.sent().get(1).recipients()).containsExactly(address("bob@example.org"));

        clock.advance(Duration.ofDays(7));
        manager.service(post("friend@remote.invalid", name));
        assertThat(list(name).isMember(address("bob@example.org"))).isFalse();
        assertThat(records.state(list(name)).records()).isEmpty();
        assertThat(context.sent().subList(3, context.sent().size())).extracting(RecordingContext.Sent::recipients)
            .containsExactly(List.of(address("bob@example.org")), List.of(address("owner@example.com")),
                List.of(address("alice@example.com")));
    }

    @Test
    void quietListRemindsDisabledMembersOnTheSchedule() throws Exception {
        String name = addList("quiet", "ieListPosting: OPEN", "ieListMember: alice@example.com",
            "ieListMember: erin@example.org");
        DistributionList list = list(name);
        disable(list, "erin@example.org");
        RecordingContext context = new RecordingContext();
        BounceReminders reminders = new BounceReminders(lists, records, clock);
        assertThat(reminders.remindAll(context.context())).as("no settings before the list manager's init").isZero();
        new DistributionListManager(lists, ListTestMailboxes.digests(context, records), ListTestMailboxes.archive(),
            records, new RecordedDns(), reminders, OneClickLinks.disabled()).init(FakeMailetConfig.builder().mailetName("lists")
            .mailetContext(context.context()).setProperty("reminderInterval", "2d").build());

        // the directory and the clock are shared by this class's tests: only this list's notices are looked at
        MailAddress erin = address("erin@example.org");
        reminders.remindAll(context.context());
        assertThat(context.sent()).as("the disabled notice was the last one")
            .noneSatisfy(notice -> assertThat(notice.recipients()).contains(erin));
        clock.advance(Duration.ofDays(2));
        reminders.remindAll(context.context());
        reminders.remindAll(context.context());

        assertThat(context.sent()).filteredOn(notice -> notice.recipients().contains(erin)).singleElement()
            .satisfies(reminder -> assertThat(reminder.text()).contains("is still disabled").contains("enable"));
        assertThat(records.state(list).of(erin).notices()).isEqualTo(1);
    }

    @Test
    void disabledMemberReEnablesDeliveryByMailWithAToken() throws Exception {
        String name = addList("reenable", "ieListPosting: OPEN", "ieListMember: frank@example.org",
            "ieListMember: gina@example.org");
        DistributionList list = list(name);
        disable(list, "frank@example.org");
        RecordingContext context = new RecordingContext();
        ListRequests requests = new ListRequests(lists, ListTestMailboxes.archive(),
            new HeldPosts(new MemoryMailRepository()), records, clock);
        requests.init(FakeMailetConfig.builder().mailetName("requests").mailetContext(context.context()).build());
        String request = name.replace("@", "-request@");

        requests.service(command("gina@example.org", request, "enable"));
        requests.service(command("frank@example.org", request, "enable"));
        assertThat(context.sent()).hasSize(2);
        assertThat(context.sent().get(0).text()).contains("nothing to enable");
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("\\b([0-9a-f]{40})\\b")
            .matcher(context.sent().get(1).text());
        assertThat(token.find()).isTrue();
        assertThat(records.state(list).isDisabled(address("frank@example.org"))).as("not before confirming").isTrue();

        requests.service(command("frank@example.org", request, "Re: Confirm " + token.group(1)));

        assertThat(records.state(list).isDisabled(address("frank@example.org"))).isFalse();
        assertThat(context.sent().get(2).recipients()).containsExactly(address("frank@example.org"));
        assertThat(context.sent().get(2).text()).contains("is enabled again");
        requests.service(command("frank@example.org", request, "Re: Confirm " + token.group(1)));
        assertThat(context.sent().get(3).text()).as("used once").contains("Not done");
    }

    private static Mail command(String from, String to, String subject) throws Exception {
        return MailImpl.builder().name("command-" + UUID.randomUUID()).sender(from).addRecipient(to)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient(to).setSubject(subject)
                .setText("(reply)"))
            .build();
    }

    @Test
    void disabledDigestMemberGetsNoDigest() throws Exception {
        String name = addList("digestdisabled", "ieListPosting: OPEN", "ieListDigestMember: carol@example.org",
            "ieListDigestMember: dave@example.org");
        DistributionList list = list(name);
        disable(list, "dave@example.org");
        RecordingContext context = new RecordingContext();
        ListDigests digests = ListTestMailboxes.digests(context, records);
        DistributionListManager manager = new DistributionListManager(lists, digests, ListTestMailboxes.archive(),
            records, new RecordedDns(), clock);
        manager.init(FakeMailetConfig.builder().mailetName("lists").mailetContext(context.context()).build());

        manager.service(post("friend@remote.invalid", name));
        assertThat(digests.send(list)).isEqualTo(1);

        assertThat(context.sent()).singleElement().satisfies(digest -> assertThat(digest.recipients())
            .containsExactly(address("carol@example.org")));
    }

    @Test
    void largeListOrVerpOffSendsOneMailFromThePlainBounceAddress() throws Exception {
        String large = addList("large", "ieListPosting: OPEN", "ieListMember: a@example.org",
            "ieListMember: b@example.org", "ieListMember: c@example.org");
        String off = addList("off", "ieListPosting: OPEN", "ieListMember: a@example.org",
            "ieListVerp: OFF");
        String on = addList("on", "ieListPosting: OPEN", "ieListMember: a@example.org",
            "ieListMember: b@example.org", "ieListMember: c@example.org", "ieListVerp: on");
        RecordingContext context = new RecordingContext();
        DistributionListManager manager = manager(context, "verpMaxMembers", "2");

        manager.service(post("friend@remote.invalid", large));
        manager.service(post("friend@remote.invalid", off));
        manager.service(post("friend@remote.invalid", on));

        assertThat(records.state(list(off)).verp()).isEqualTo(VerpMode.OFF);
        assertThat(context.sent()).hasSize(5);
        assertThat(context.sent().get(0).sender()).contains(address(large.replace("@", "-bounces@")));
        assertThat(context.sent().get(0).recipients()).hasSize(3);
        assertThat(context.sent().get(1).sender()).contains(address(off.replace("@", "-bounces@")));
        assertThat(context.sent().subList(2, 5)).extracting(RecordingContext.Sent::sender).containsExactlyInAnyOrder(
            Optional.of(address(on.replace("@", "-bounces+a=example.org@"))),
            Optional.of(address(on.replace("@", "-bounces+b=example.org@"))),
            Optional.of(address(on.replace("@", "-bounces+c=example.org@"))));
    }
}
