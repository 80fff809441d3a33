package org.switchboard.server.bsmtp;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.mailets.bsmtp.BatchReader;
import org.switchboard.mailets.bsmtp.BatchReader.Outcome;
import org.switchboard.mailets.bsmtp.BatchReader.Rejection;
import org.switchboard.mailets.bsmtp.BatchReader.Transaction;
import org.switchboard.mailets.bsmtp.TunnelMessage;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

/**
 * Puts what one downloaded tunnel message holds into the spool: each accepted transaction as a mail with its original
 * envelope and the input channel BSMTPIN; a notice to the postmaster listing the rejected transactions, with the
 * tunnel message attached; a message that is no batch from a configured encoder goes to the postmaster untouched.
 * Every mail is named after the account, the message's UIDL and its place in the batch, so a message injected again
 * after a crash (before its UIDL was recorded) carries the same names, and the message store stores each copy once.
 * Returns when the spool holds everything (its records are synced).
 */
final class TunnelInjector {
    private static final Logger LOGGER = LoggerFactory.getLogger(TunnelInjector.class);

    record Injected(int transactions, int rejected, boolean batch) {
    }

    private final MailQueue spool;
    private final MailAddress postmaster;

    TunnelInjector(MailQueue spool, MailAddress postmaster) {
        this.spool = spool;
        this.postmaster = postmaster;
    }

    Injected inject(Pop3Account account, String remoteAddress, String key, MimeMessageWrapper tunnel)
        throws MessagingException, IOException {
        Optional<String> notABatch = whyNotATrustedBatch(account, tunnel);
        if (notABatch.isPresent()) {
            LOGGER.warn("BSMTP account {}: message {} is {}: delivered to the postmaster untouched", account.name(), key,
                notABatch.get());
            enqueue(mail(key + "-other", MaybeSender.nullSender(), List.of(postmaster), tunnel, Channel.BSMTPIN,
                account, remoteAddress));
            return new Injected(0, 0, false);
        }
        List<Outcome> outcomes;
        try (InputStream batch = tunnel.getInputStream()) {
            outcomes = BatchReader.read(batch, account.allowedDomains(), "bsmtp-" + key);
        } catch (IOException e) {
            // a body that is not valid base64 would fail every poll at this message: it is handed over instead
            LOGGER.warn("BSMTP account {}: message {} does not decode ({}): delivered to the postmaster untouched",
                account.name(), key, e.getMessage());
            enqueue(mail(key + "-other", MaybeSender.nullSender(), List.of(postmaster), tunnel, Channel.BSMTPIN,
                account, remoteAddress));
            return new Injected(0, 0, false);
        }
        try {
            int transactions = 0;
            List<Rejection> rejections = new ArrayList<>();
            for (Outcome outcome : outcomes) {
                if (outcome instanceof Transaction transaction) {
                    enqueue(mail(key + "-" + transaction.number(), transaction.envelope().sender(),
                        transaction.envelope().recipients(), new MimeMessageWrapper(transaction.content()),
                        Channel.BSMTPIN, account, remoteAddress));
                    transactions++;
                } else {
                    Rejection rejection = (Rejection) outcome;
                    rejections.add(rejection);
                    LOGGER.warn("BSMTP account {}: message {}: rejected {}", account.name(), key, rejection.describe());
                }
            }
            if (!rejections.isEmpty()) {
                enqueue(mail(key + "-rejected", MaybeSender.nullSender(), List.of(postmaster),
                    notice(account, key, rejections, tunnel), Channel.INTERNAL, account, remoteAddress));
            }
            LOGGER.info("BSMTP account {}: message {}: {} transaction(s) put in the spool, {} rejected", account.name(),
                key, transactions, rejections.size());
            return new Injected(transactions, rejections.size(), true);
        } finally {
            BatchReader.dispose(outcomes);
        }
    }

    /** Empty when the message is an application/batch-SMTP message from one of the account's encoders. */
    private static Optional<String> whyNotATrustedBatch(Pop3Account account, MimeMessage message) {
        try {
            String type = new ContentType(message.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
            if (!type.equals(TunnelMessage.CONTENT_TYPE.toLowerCase(Locale.ROOT))) {
                return Optional.of("of type " + type + ", not " + TunnelMessage.CONTENT_TYPE);
            }
            InternetAddress[] from = (InternetAddress[]) message.getFrom();
            if (from == null || from.length != 1) {
                return Optional.of("a batch without a single From: address");
            }
            MailAddress author = new MailAddress(from[0]);
            if (!account.encoders().contains(author)) {
                return Optional.of("a batch from " + author.asString() + ", which is not one of the account's encoders");
            }
            return Optional.empty();
        } catch (MessagingException | ClassCastException e) {
            return Optional.of("a message whose Content-Type or From: does not parse (" + e.getMessage() + ")");
        }
    }

    private MimeMessage notice(Pop3Account account, String key, List<Rejection> rejections, MimeMessage tunnel)
        throws MessagingException {
        StringBuilder text = new StringBuilder("The BSMTP decoder did not deliver part of a tunnel message picked up from"
            + " the POP3 account " + account.name() + " (" + account.user() + " at " + account.host() + ", message "
            + key + "). The other transactions of the batch, if any, were delivered. Rejected:\r\n\r\n");
        rejections.forEach(rejection -> text.append("- ").append(rejection.describe()).append("\r\n"));
        text.append("\r\nThe whole tunnel message is attached; it was removed from the POP3 account.\r\n");
        MimeMessage notice = new MimeMessage((javax.mail.Session) null);
        notice.setFrom(new InternetAddress(postmaster.asString()));
        notice.setSubject("[BSMTP] " + rejections.size() + " transaction(s) rejected from account " + account.name());
        notice.setHeader("Auto-Submitted", "auto-generated");
        MimeMultipart parts = new MimeMultipart();
        MimeBodyPart explanation = new MimeBodyPart();
        explanation.setText(text.toString(), "UTF-8");
        parts.addBodyPart(explanation);
        MimeBodyPart attached = new MimeBodyPart();
        attached.setContent(tunnel, "message/rfc822");
        parts.addBodyPart(attached);
        notice.setContent(parts);
        notice.saveChanges();
        return notice;
    }

    private static Mail mail(String name, MaybeSender sender, List<MailAddress> recipients, MimeMessage message,
                             Channel channel, Pop3Account account, String remoteAddress) throws MessagingException {
        MailImpl mail = MailImpl.builder()
            .name(name)
            .sender(sender)
            .addRecipients(recipients)
            .mimeMessage(message)
            // the host the tunnel was picked up from; never 127.0.0.1 by default (which James' relay checks trust)
            .remoteHost(account.host())
            .remoteAddr(remoteAddress)
            .build();
        InputChannel.set(mail, channel);
        return mail;
    }

    /** The message sources stay the caller's (disposed once the whole tunnel message is in the spool). */
    private void enqueue(Mail mail) throws MessagingException {
        spool.enQueue(mail);
    }
}
