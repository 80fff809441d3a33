package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.lists.DeliveryMode;
import org.switchboard.mailets.lists.HeldPosts;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.ListRequests;
import org.switchboard.server.directory.TestDirectory;

import com.unboundid.ldap.sdk.SearchScope;

/**
 * Subscription and unsubscription by mail ({@link ListRequests}) against a real embedded ApacheDS: confirmation
 * tokens stored in the directory, used once, expiring; owner approval and denial of closed lists; forged tokens.
 */
class ListRequestsTest extends ListDirectoryTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;
    private static final Pattern TOKEN = Pattern.compile("\\b([0-9a-f]{40})\\b");

    private ListRequests mailet(RecordingContext context) throws Exception {
        ListRequests mailet = new ListRequests(lists, ListTestMailboxes.archive(),
            new HeldPosts(new MemoryMailRepository()), new LdapBounceRecords(pool), clock);
        mailet.init(FakeMailetConfig.builder().mailetName("list-requests").mailetContext(context.context())
            .setProperty("confirmationTimeout", "3d").build());
        return mailet;
    }

    private static String command(String list, String suffix) {
        return list.replace("@", suffix + "@");
    }

    private static Mail mail(String from, String to, String subject, String body, String... field) throws Exception {
        MimeMessageBuilder message = MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient(to)
            .setSubject(subject).setText(body);
        if (field.length == 2) {
            message.addHeader(field[0], field[1]);
        }
        return FakeMail.builder().name("cmd-" + UUID.randomUUID()).sender(from).recipient(to).mimeMessage(message)
            .build();
    }

    private static String tokenIn(RecordingContext.Sent sent) {
        Matcher matcher = TOKEN.matcher(sent.text());
        assertThat(matcher.find()).as("a token in %s", sent.text()).isTrue();
        return matcher.group(1);
    }

    private boolean isMember(String list, String address) throws Exception {
        return lists.find(new MailAddress(list)).orElseThrow().isMember(new MailAddress(address));
    }

    private int pendingRequests(String list) throws Exception {
        return pool.search("mail=" + list + "," + SUFFIX, SearchScope.ONE, "(objectClass=ielistrequest)")
            .getEntryCount();
    }

    @Test
    void openListSubscribeConfirmWelcomeAndTheTokenWorksOnce() throws Exception {
        String list = addList("open", "ieListPosting: OPEN", "ieListSubscription: OPEN");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        Mail request = mail("newbie@example.com", command(list, "-subscribe"), "please", "");
        mailet.service(request);
        assertThat(request.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.sent()).hasSize(1);
        RecordingContext.Sent confirmation = context.sent().get(0);
        assertThat(confirmation.recipients()).containsExactly(new MailAddress("newbie@example.com"));
        assertThat(confirmation.sender()).contains(new MailAddress(command(list, "-bounces")));
        assertThat(confirmation.text()).contains("Auto-Submitted: auto-replied").contains("Reply-To: "
            + command(list, "-request"));
        String token = tokenIn(confirmation);
        assertThat(pendingRequests(list)).isEqualTo(1);
        assertThat(isMember(list, "newbie@example.com")).isFalse();

        mailet.service(mail("newbie@example.com", command(list, "-request"), "Re: Confirm " + token + ": join " + list,
            "> quoted"));
        assertThat(isMember(list, "newbie@example.com")).isTrue();
        assertThat(lists.find(new MailAddress(list)).orElseThrow().members().get(new MailAddress("newbie@example.com")))
            .isEqualTo(DeliveryMode.IMMEDIATE);
        assertThat(context.sent().get(1).text()).contains("Subject: Welcome to " + list);
        assertThat(pendingRequests(list)).isZero();

        // a replay changes nothing, and says so
        lists.removeMember(lists.find(new MailAddress(list)).orElseThrow(), new MailAddress("newbie@example.com"));
        mailet.service(mail("newbie@example.com", command(list, "-request"), "Re: Confirm " + token, ""));
        assertThat(isMember(list, "newbie@example.com")).isFalse();
        assertThat(context.sent().get(2).text()).contains("Subject: Not done").contains("Nothing was changed");
    }

    @Test
    void membersSwitchBetweenDigestAndImmediateByMail() throws Exception {
        String list = addList("modes", "ieListMember: alice@example.com", "ieListMember: bob@example.com");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("alice@example.com", command(list, "-request"), "digest", ""));
        mailet.service(mail("bob@example.com", command(list, "-request"), "", "set delivery digest\n"));
        assertThat(lists.find(new MailAddress(list)).orElseThrow().members()).containsOnly(
            Map.entry(new MailAddress("alice@example.com"), DeliveryMode.DIGEST),
            Map.entry(new MailAddress("bob@example.com"), DeliveryMode.DIGEST));
        assertThat(context.sent().get(0).text()).contains("Subject: Delivery mode for " + list + ": digest");

        mailet.service(mail("alice@example.com", command(list, "-request"), "Re: immediate", ""));
        mailet.service(mail("stranger@remote.invalid", command(list, "-request"), "digest", ""));
        assertThat(lists.find(new MailAddress(list)).orElseThrow().members()).containsOnly(
            Map.entry(new MailAddress("alice@example.com"), DeliveryMode.IMMEDIATE),
            Map.entry(new MailAddress("bob@example.com"), DeliveryMode.DIGEST));
        assertThat(context.sent().get(3).text()).contains("Subject: You are not a member of " + list);
    }

    @Test
    void theArchiveListingGoesToMembersOfAClosedListOnly() throws Exception {
        String list = addList("closedarchive", "ieListMember: alice@example.com", "ieListArchive: TRUE");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("alice@example.com", command(list, "-request"), "archive", ""));
        mailet.service(mail("stranger@remote.invalid", command(list, "-request"), "archive", ""));

        assertThat(context.sent().get(0).text()).contains("Subject: Archive of " + list)
            .contains("0 message(s) in the archive");
        assertThat(context.sent().get(1).text()).contains("Subject: Archive of " + list + " refused");
    }

    @Test
    void forgedAndExpiredTokensDoNothing() throws Exception {
        String list = addList("tokens", "ieListSubscription: CONFIRM");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("forger@example.com", command(list, "-request"),
            "confirm 0123456789abcdef0123456789abcdef01234567", ""));
        assertThat(isMember(list, "forger@example.com")).isFalse();
        assertThat(context.sent()).singleElement().satisfies(sent -> assertThat(sent.text()).contains("Not done"));

        mailet.service(mail("late@example.com", command(list, "-request"), "subscribe", ""));
        String token = tokenIn(context.sent().get(1));
        clock.advance(Duration.ofDays(3).plusMinutes(1));
        mailet.service(mail("late@example.com", command(list, "-request"), "confirm", "my token: " + token));
        assertThat(isMember(list, "late@example.com")).isFalse();
        assertThat(context.sent().get(2).text()).contains("Not done");
        assertThat(pendingRequests(list)).as("the expired request is removed").isZero();
    }

    @Test
    void closedListOwnerApprovesOrDenies() throws Exception {
        String list = addList("closed", "ieListSubscription: CLOSED", "ieListOwnerAddress: owner@example.com");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("applicant@example.com", command(list, "-subscribe"), "", ""));
        String requesterToken = tokenIn(context.sent().get(0));
        mailet.service(mail("applicant@example.com", command(list, "-request"), "Re: Confirm " + requesterToken, ""));
        assertThat(isMember(list, "applicant@example.com")).as("not before the owner approves").isFalse();
        RecordingContext.Sent toOwner = context.sent().get(1);
        assertThat(toOwner.recipients()).containsExactly(new MailAddress("owner@example.com"));
        String ownerToken = tokenIn(toOwner);
        assertThat(ownerToken).isNotEqualTo(requesterToken);
        assertThat(context.sent().get(2).recipients()).containsExactly(new MailAddress("applicant@example.com"));
        assertThat(context.sent().get(2).text()).contains("its owner now decides");

        // the applicant cannot approve themselves with the owner's token
        mailet.service(mail("applicant@example.com", command(list, "-request"), "Re: " + ownerToken, ""));
        assertThat(isMember(list, "applicant@example.com")).isFalse();

        mailet.service(mail("owner@example.com", command(list, "-request"), "Re: Subscription request " + ownerToken, ""));
        assertThat(isMember(list, "applicant@example.com")).isTrue();
        assertThat(context.sent()).anySatisfy(sent -> assertThat(sent.text()).contains("Subject: Welcome to " + list)
            .contains("To: applicant@example.com"));

        // a second applicant, denied
        int before = context.sent().size();
        mailet.service(mail("rejected@example.com", command(list, "-subscribe"), "", ""));
        mailet.service(mail("rejected@example.com", command(list, "-request"), tokenIn(context.sent().get(before)), ""));
        String secondOwnerToken = tokenIn(context.sent().get(before + 1));
        mailet.service(mail("owner@example.com", command(list, "-request"), "Re: DENY Subscription request "
            + secondOwnerToken, ""));
        assertThat(isMember(list, "rejected@example.com")).isFalse();
        assertThat(context.sent()).anySatisfy(sent -> assertThat(sent.text()).contains("denied")
            .contains("To: rejected@example.com"));
        assertThat(pendingRequests(list)).isZero();
    }

    @Test
    void unsubscribeIsConfirmedAndANonMemberIsAnswered() throws Exception {
        String list = addList("leave", "ieListMember: member@example.com");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("stranger@example.com", command(list, "-unsubscribe"), "", ""));
        assertThat(context.sent()).singleElement().satisfies(sent -> assertThat(sent.text())
            .contains("stranger@example.com is not a member"));
        assertThat(pendingRequests(list)).isZero();

        mailet.service(mail("member@example.com", command(list, "-request"), "unsubscribe", ""));
        assertThat(isMember(list, "member@example.com")).as("not before confirming").isTrue();
        mailet.service(mail("member@example.com", command(list, "-request"), "Re: " + tokenIn(context.sent().get(1)),
            ""));
        assertThat(isMember(list, "member@example.com")).isFalse();
        assertThat(context.sent().get(2).text()).contains("Goodbye");
    }

    @Test
    void robotsAreNeverAnsweredAndBouncesGoToTheirProcessor() throws Exception {
        String list = addList("robots");
        RecordingContext context = new RecordingContext();
        ListRequests mailet = mailet(context);

        mailet.service(mail("vacation@example.com", command(list, "-request"), "Out of office", "",
            "Auto-Submitted", "auto-replied"));
        mailet.service(mail("bulk@example.com", command(list, "-subscribe"), "", "", "Precedence", "bulk"));
        assertThat(context.sent()).isEmpty();
        assertThat(pendingRequests(list)).isZero();

        mailet.service(mail("mailer-daemon@remote.invalid", command(list, "-bounces"), "failure", ""));
        assertThat(context.sent()).singleElement().satisfies(sent -> assertThat(sent.state())
            .isEqualTo("lists-bounces"));
    }

    @Test
    void mailToTheOwnerAddressReachesTheOwners() throws Exception {
        String list = addList("owned", "ieListOwnerAddress: owner@example.com", "ieListOwnerAddress: other@example.com");
        RecordingContext context = new RecordingContext();

        mailet(context).service(mail("someone@remote.invalid", command(list, "-owner"), "A question", "Hello owner."));

        assertThat(context.sent()).singleElement().satisfies(sent -> {
            assertThat(sent.recipients()).containsExactlyInAnyOrder(new MailAddress("owner@example.com"),
                new MailAddress("other@example.com"));
            assertThat(sent.sender()).contains(new MailAddress(command(list, "-bounces")));
            assertThat(sent.text()).contains("Subject: A question").contains("Hello owner.");
        });
    }

    @Test
    void helpForAnUnknownCommand() throws Exception {
        String list = addList("help");
        RecordingContext context = new RecordingContext();

        mailet(context).service(mail("curious@example.com", command(list, "-request"), "what is this", ""));

        assertThat(context.sent()).singleElement().satisfies(sent -> assertThat(sent.text())
            .contains("Unknown command \"what\"").contains(command(list, "-subscribe")));
    }
}
