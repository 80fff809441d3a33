package org.switchboard.server.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailets.bsmtp.RecipientDomains;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;
import org.switchboard.spool.RocksDbMailQueueFactory;

/** The injector against the server's own spool (RocksDB, synced), read back with the spool's browse. */
class TunnelInjectorTest {
    private static final MailAddress POSTMASTER = address("postmaster@smallcorp.test");
    private static final Pop3Account ACCOUNT = new Pop3Account("hq", "pop.example.net", 110,
        Pop3Account.Security.STARTTLS, Optional.empty(), "tunnel", "secret", Duration.ofMinutes(5), Optional.empty(),
        Set.of(address("postmaster@example.com")), RecipientDomains.parse("smallcorp.test"));

    @TempDir
    Path temp;
    private RocksDbMailQueueFactory factory;
    private ManageableMailQueue spool;
    private TunnelInjector injector;

    @BeforeEach
    void open() throws Exception {
        factory = RocksDbMailQueueFactory.open(temp.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET);
        spool = factory.createQueue(MailQueueFactory.SPOOL);
        injector = new TunnelInjector(spool, POSTMASTER);
    }

    @AfterEach
    void close() {
        factory.close();
    }

    private static MailAddress address(String value) {
        try {
            return new MailAddress(value);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static MimeMessageWrapper tunnel(String from, String contentType, String batch) throws Exception {
        String raw = "Return-Path: <" + from + ">\r\nFrom: <" + from + ">\r\nTo: <tunnel@example.com>\r\n"
            + "Subject: BSMTP batch\r\nMIME-Version: 1.0\r\nContent-Type: " + contentType + "\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getMimeEncoder().encodeToString(batch.getBytes(StandardCharsets.UTF_8)) + "\r\n";
        return new MimeMessageWrapper(MimeMessageInputStreamSource.create("t",
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));
    }

    private List<Mail> spooled() throws Exception {
        List<Mail> mails = new ArrayList<>();
        ManageableMailQueue.MailQueueIterator items = spool.browse();
        items.forEachRemaining(item -> mails.add(item.getMail()));
        items.close();
        return mails;
    }

    private static String text(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void eachTransactionEntersTheSpoolWithItsOriginalEnvelope() throws Exception {
        TunnelInjector.Injected injected = injector.inject(ACCOUNT, "192.0.2.7", "hq-abc", tunnel("postmaster@example.com",
            "application/batch-SMTP", "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@smallcorp.test>\r\n"
                + "RCPT TO:<bcc@smallcorp.test>\r\nDATA\r\nTo: bob@smallcorp.test\r\nSubject: one\r\n\r\n..dot\r\n.\r\n"
                + "MAIL FROM:<>\r\nRCPT TO:<carol@smallcorp.test>\r\nDATA\r\nSubject: two\r\n\r\nx\r\n.\r\nQUIT\r\n"));

        assertThat(injected).isEqualTo(new TunnelInjector.Injected(2, 0, true));
        List<Mail> mails = spooled();
        assertThat(mails).extracting(Mail::getName).containsExactly("hq-abc-1", "hq-abc-2");
        Mail first = mails.get(0);
        assertThat(first.getMaybeSender().asString()).isEqualTo("alice@example.com");
        assertThat(first.getRecipients()).containsExactly(address("bob@smallcorp.test"), address("bcc@smallcorp.test"));
        assertThat(InputChannel.of(first)).contains(Channel.BSMTPIN);
        assertThat(first.getRemoteAddr()).isEqualTo("192.0.2.7");
        assertThat(first.getRemoteHost()).isEqualTo("pop.example.net");
        assertThat(text(first.getMessage())).isEqualTo("To: bob@smallcorp.test\r\nSubject: one\r\n\r\n.dot\r\n");
        assertThat(mails.get(1).getMaybeSender().isNullSender()).isTrue();
        assertThat(mails.get(1).getRecipients()).containsExactly(address("carol@smallcorp.test"));
    }

    @Test
    void rejectedTransactionsAreReportedToThePostmasterWithTheTunnelMessage() throws Exception {
        TunnelInjector.Injected injected = injector.inject(ACCOUNT, "192.0.2.7", "hq-abc", tunnel("postmaster@example.com",
            "application/batch-SMTP", "MAIL FROM:<alice@example.com>\r\nRCPT TO:<victim@elsewhere.test>\r\nDATA\r\nx\r\n.\r\n"
                + "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@smallcorp.test>\r\nDATA\r\nSubject: fine\r\n\r\nx\r\n.\r\n"));

        assertThat(injected).isEqualTo(new TunnelInjector.Injected(1, 1, true));
        List<Mail> mails = spooled();
        assertThat(mails).extracting(Mail::getName).containsExactly("hq-abc-2", "hq-abc-rejected");
        Mail notice = mails.get(1);
        assertThat(notice.getRecipients()).containsExactly(POSTMASTER);
        assertThat(notice.getMaybeSender().isNullSender()).isTrue();
        assertThat(InputChannel.of(notice)).contains(Channel.INTERNAL);
        MimeMultipart parts = (MimeMultipart) notice.getMessage().getContent();
        assertThat((String) parts.getBodyPart(0).getContent()).contains(
            "transaction 1 (line 1): recipient victim@elsewhere.test is outside the allowed domains (smallcorp.test)");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/rfc822");
        assertThat(text((MimeMessage) parts.getBodyPart(1).getContent())).contains("Content-Type: application/batch-SMTP");
    }

    @Test
    void anythingButABatchFromAnEncoderGoesToThePostmasterUntouched() throws Exception {
        MimeMessageWrapper forged = tunnel("mallory@example.org", "application/batch-SMTP",
            "MAIL FROM:<x@example.org>\r\nRCPT TO:<bob@smallcorp.test>\r\nDATA\r\nspam\r\n.\r\n");
        MimeMessageWrapper plain = tunnel("postmaster@example.com", "text/plain", "just text\r\n");

        assertThat(injector.inject(ACCOUNT, "192.0.2.7", "hq-1", forged)).isEqualTo(new TunnelInjector.Injected(0, 0, false));
        assertThat(injector.inject(ACCOUNT, "192.0.2.7", "hq-2", plain)).isEqualTo(new TunnelInjector.Injected(0, 0, false));

        List<Mail> mails = spooled();
        assertThat(mails).extracting(Mail::getName).containsExactly("hq-1-other", "hq-2-other");
        assertThat(mails).allSatisfy(mail -> assertThat(mail.getRecipients()).containsExactly(POSTMASTER));
        assertThat(text(mails.get(0).getMessage())).isEqualTo(text(forged));
    }

    @Test
    void aBatchWhoseBodyDoesNotDecodeGoesToThePostmasterInsteadOfBlockingTheMailbox() throws Exception {
        String raw = "From: <postmaster@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: application/batch-SMTP\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nTUFJTCBGUk9NOjw+DQo=\r\n=====AAAA====\r\n";
        MimeMessageWrapper broken = new MimeMessageWrapper(MimeMessageInputStreamSource.create("b",
            new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII))));

        assertThat(injector.inject(ACCOUNT, "192.0.2.7", "hq-3", broken)).isEqualTo(new TunnelInjector.Injected(0, 0, false));
        assertThat(spooled()).extracting(Mail::getName).containsExactly("hq-3-other");
    }
}
