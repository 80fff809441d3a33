package org.switchboard.mailets.messagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.james.user.memory.MemoryUsersRepository;
import org.apache.mailet.Mail;
import org.apache.mailet.StorageDirective;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.pipeline.SpoolName;

class MessageStoreDeliveryTest {
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";

    private StoreMailboxManager mailboxManager;
    private MessageStoreDelivery delivery;

    @BeforeEach
    void setUp() throws Exception {
        mailboxManager = InMemoryIntegrationResources.defaultResources().getMailboxManager();
        delivery = new MessageStoreDelivery(mailboxManager, MemoryUsersRepository.withVirtualHosting(new MemoryDomainList(null)));
        delivery.init(FakeMailetConfig.builder().mailetName("store").build());
    }

    @Test
    void traceFieldsGoOnTopAndTheRestIsKeptAsReceived() throws Exception {
        String original = "Return-Path: <forged@evil.test>\r\n"
            + "Received: from relay.test by mx.test; Mon, 7 Dec 2026 05:00:00 +0000\r\n"
            + "Delivered-To: earlier@example.net\r\n"
            + "From: sender@example.org\r\nTo: " + ALICE + "\r\nSubject: trace\r\n\r\nbody\r\n";
        Mail mail = mail(original, "sender@example.org", ALICE);

        delivery.service(mail);

        String stored = storedMessages(ALICE, "INBOX").get(0);
        assertThat(stored).isEqualTo("Return-Path: <sender@example.org>\r\nDelivered-To: " + ALICE + "\r\n"
            + original.substring(original.indexOf("Received:")));
        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
    }

    @Test
    void eachRecipientGetsItsOwnDeliveredToAndANullSenderAnEmptyReturnPath() throws Exception {
        Mail mail = mail("Subject: two\r\n\r\nx\r\n", null, ALICE, BOB);

        delivery.service(mail);

        assertThat(storedMessages(ALICE, "INBOX")).containsExactly(
            "Return-Path: <>\r\nDelivered-To: " + ALICE + "\r\nSubject: two\r\n\r\nx\r\n");
        assertThat(storedMessages(BOB, "INBOX")).containsExactly(
            "Return-Path: <>\r\nDelivered-To: " + BOB + "\r\nSubject: two\r\n\r\nx\r\n");
    }

    @Test
    void brokenMimeIsStoredOctetForOctet() throws Exception {
        String boundary = "b".repeat(3000);
        String broken = "Subject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\""
            + boundary + "\"\r\n\r\nno start boundary here\r\n--" + boundary.substring(7) + "\r\n\r\ntruncated";
        Mail mail = mail(broken, "sender@example.org", ALICE);

        delivery.service(mail);

        assertThat(storedMessages(ALICE, "INBOX")).containsExactly(
            "Return-Path: <sender@example.org>\r\nDelivered-To: " + ALICE + "\r\n" + broken);
    }

    @Test
    void aSieveDirectiveChoosesTheFolderAndTheFlags() throws Exception {
        Mail mail = mail("Subject: filed\r\n\r\nx\r\n", "sender@example.org", ALICE);
        StorageDirective.builder().targetFolder("Lists/james").seen(java.util.Optional.of(true)).build()
            .encodeAsAttributes(Username.of(ALICE)).forEach(mail::setAttribute);

        delivery.service(mail);

        assertThat(storedMessages(ALICE, "Lists.james")).hasSize(1);
        MessageResult result = messages(ALICE, "Lists.james").get(0);
        assertThat(result.getFlags().contains(javax.mail.Flags.Flag.SEEN)).isTrue();
    }

    @Test
    void theConfiguredFolderIsTheDefault() throws Exception {
        delivery.init(FakeMailetConfig.builder().mailetName("store").setProperty("folder", "Incoming").build());

        delivery.service(mail("Subject: x\r\n\r\nx\r\n", "sender@example.org", ALICE));

        assertThat(storedMessages(ALICE, "Incoming")).hasSize(1);
    }

    @Test
    void aRecipientWhoseCopyCannotBeStoredStaysOnTheMailForErrorHandling() throws Exception {
        Mail mail = mail("Subject: x\r\n\r\nx\r\n", "sender@example.org", ALICE, BOB);
        // a folder name no mailbox may have (a wildcard) for Bob only
        mail.setAttribute(StorageDirective.builder().targetFolder("bad*name").build()
            .encodeAsAttributes(Username.of(BOB)).findFirst().orElseThrow());

        assertThatThrownBy(() -> delivery.service(mail)).isInstanceOf(MessagingException.class)
            .hasMessageContaining(BOB);

        assertThat(storedMessages(ALICE, "INBOX")).hasSize(1);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress(BOB));
    }

    @Test
    void aMailForManyMailboxesIsStoredOnceInEachOfThemWithItsOwnTraceFields() throws Exception {
        String[] members = new String[200];
        for (int i = 0; i < members.length; i++) {
            members[i] = "member" + i + "@example.com";
        }
        Mail mail = mail("Subject: to the list\r\n\r\nhello all\r\n", "owner@example.org", members);
        // one of them cannot be stored: it alone stays on the mail
        mail.setAttribute(StorageDirective.builder().targetFolder("bad*name").build()
            .encodeAsAttributes(Username.of("member77@example.com")).findFirst().orElseThrow());

        assertThatThrownBy(() -> delivery.service(mail)).isInstanceOf(MessagingException.class)
            .hasMessageContaining("member77@example.com");

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("member77@example.com"));
        for (String member : members) {
            if (member.equals("member77@example.com")) {
                continue;
            }
            List<String> stored = storedMessages(member, "INBOX");
            assertThat(stored).as(member).hasSize(1);
            assertThat(stored.get(0)).as(member).isEqualTo("Return-Path: <owner@example.org>\r\nDelivered-To: " + member
                + "\r\nSubject: to the list\r\n\r\nhello all\r\n");
        }
    }

    @Test
    void aMailIsStoredUnderTheNameOfItsSpoolEntry() throws Exception {
        Mail mail = mail("Subject: x\r\n\r\nx\r\n", "sender@example.org", ALICE);
        SpoolName.record(mail);
        Mail copy = mail.duplicate();
        copy.setName(mail.getName() + "-!1234");

        assertThat(SpoolName.of(copy)).as("a copy James splits off").isEqualTo(mail.getName());
        Mail madeByAMailet = copy.duplicate();
        madeByAMailet.setName("Mail-made-from-it");
        SpoolName.record(madeByAMailet);
        assertThat(SpoolName.of(madeByAMailet)).as("a new spool entry is a new delivery").isEqualTo("Mail-made-from-it");
        assertThat(SpoolName.of(mail("Subject: y\r\n\r\ny\r\n", null, ALICE))).as("unrecorded: its own name")
            .startsWith("mail-");
    }

    @Test
    void parametersAreChecked() {
        assertThatThrownBy(() -> delivery.init(FakeMailetConfig.builder().mailetName("store").setProperty("folder", " ").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("folder");
        assertThatThrownBy(() -> delivery.init(FakeMailetConfig.builder().mailetName("store").setProperty("flder", "x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("flder");
        assertThatThrownBy(() -> delivery.init(FakeMailetConfig.builder().mailetName("store")
            .setProperty("parallelAppends", "0").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("parallelAppends").hasMessageContaining("1 to 256");
        assertThatThrownBy(() -> delivery.init(FakeMailetConfig.builder().mailetName("store")
            .setProperty("parallelAppends", "many").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("parallelAppends");
    }

    private Mail mail(String message, String sender, String... recipients) throws Exception {
        MimeMessageWrapper mime = new MimeMessageWrapper(MimeMessageInputStreamSource.create("test-" + System.nanoTime(),
            new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8))));
        FakeMail.Builder builder = FakeMail.builder().name("mail-" + System.nanoTime()).mimeMessage(mime)
            .recipients(recipients);
        if (sender != null) {
            builder.sender(sender);
        }
        return builder.build();
    }

    private List<MessageResult> messages(String user, String folder) throws Exception {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        MessageManager mailbox = mailboxManager.getMailbox(MailboxPath.forUser(Username.of(user), folder), session);
        List<MessageResult> results = new java.util.ArrayList<>();
        mailbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session).forEachRemaining(results::add);
        return results;
    }

    private List<String> storedMessages(String user, String folder) throws Exception {
        List<String> texts = new java.util.ArrayList<>();
        for (MessageResult result : messages(user, folder)) {
            texts.add(new String(result.getFullContent().getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return texts;
    }
}
