package org.switchboard.mailets.preprocessor.antivirus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import javax.activation.DataHandler;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.MimeUtility;
import javax.mail.util.ByteArrayDataSource;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

/**
 * The messages the anti-virus writes: a notice to the administrator (what was found, sender, recipients, Message-ID,
 * subject; never the mail itself) and a bounce to the sender (an RFC 3464 delivery status notification whose third
 * part holds the original header only, never the body that carries the virus).
 *
 * <p>Both carry {@value #NOTICE_HEADER}: an infected mail that carries it (its subject or Message-ID quoted a
 * signature) is dropped without a new notice, so notices cannot loop.
 */
final class VirusNotices {
    static final String NOTICE_HEADER = "X-Switchboard-Virus-Notice";
    private static final int MAX_VALUE_LENGTH = 300;
    private static final int MAX_RECIPIENTS_LISTED = 50;

    private VirusNotices() {
    }

    /** What happened to a mail and why, for the notice and the bounce. */
    record Event(String subject, String action, String reason, String engine) {
    }

    static MimeMessage notice(Mail mail, MailAddress postmaster, MailAddress to, Event event)
        throws MessagingException {
        MimeMessage notice = newMessage(postmaster);
        notice.setRecipients(Message.RecipientType.TO, to.asString());
        notice.setSubject(event.subject(), "UTF-8");
        notice.setHeader("Auto-Submitted", "auto-generated");
        StringBuilder text = new StringBuilder()
            .append("The anti-virus ").append(event.action()).append(".\r\n\r\n")
            .append("Reason:      ").append(clean(event.reason())).append("\r\n")
            .append("Scanner:     ").append(clean(event.engine())).append("\r\n");
        describe(mail, text);
        text.append("\r\nThe mail itself is not attached to this notice.\r\n");
        notice.setText(text.toString(), "UTF-8");
        notice.saveChanges();
        return notice;
    }

    /** A DSN (multipart/report) to the mail's sender: explanation, delivery status per recipient, original header. */
    static MimeMessage bounce(Mail mail, MailAddress postmaster, Event event) throws MessagingException {
        MailAddress sender = mail.getMaybeSender().get();
        MimeMessage bounce = newMessage(postmaster);
        bounce.setRecipients(Message.RecipientType.TO, sender.asString());
        bounce.setSubject(event.subject(), "UTF-8");
        bounce.setHeader("Auto-Submitted", "auto-replied");

        String recipients = recipients(mail.getRecipients());
        MimeBodyPart explanation = new MimeBodyPart();
        explanation.setText("Your message was not delivered to " + recipients + ".\r\n\r\n"
            + "Reason: " + clean(event.reason()) + " (" + clean(event.engine()) + ").\r\n"
            + "The message has not been delivered to any of these recipients. Clean your computer or the file with"
            + " an up-to-date anti-virus program before you send it again.\r\n", "UTF-8");

        StringBuilder status = new StringBuilder()
            .append("Reporting-MTA: dns; ").append(postmaster == null ? "localhost" : postmaster.getDomain().asString())
            .append("\r\n")
            .append("Arrival-Date: ").append(rfc822Date(mail)).append("\r\n");
        for (MailAddress recipient : mail.getRecipients()) {
            status.append("\r\n")
                .append("Final-Recipient: rfc822; ").append(recipient.asString()).append("\r\n")
                .append("Action: failed\r\n")
                .append("Status: 5.7.1\r\n")
                .append("Diagnostic-Code: smtp; 554 5.7.1 ").append(ascii(event.reason())).append("\r\n");
        }
        MimeBodyPart deliveryStatus = new MimeBodyPart();
        deliveryStatus.setDataHandler(new DataHandler(new ByteArrayDataSource(
            status.toString().getBytes(StandardCharsets.US_ASCII), "message/delivery-status")));

        MimeBodyPart originalHeader = new MimeBodyPart();
        originalHeader.setDataHandler(new DataHandler(new ByteArrayDataSource(
            originalHeader(mail.getMessage()), "text/rfc822-headers")));

        MimeMultipart report = new MimeMultipart("report; report-type=delivery-status");
        report.addBodyPart(explanation);
        report.addBodyPart(deliveryStatus);
        report.addBodyPart(originalHeader);
        bounce.setContent(report);
        bounce.saveChanges();
        return bounce;
    }

    private static MimeMessage newMessage(MailAddress postmaster) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        if (postmaster != null) {
            message.setFrom(postmaster.asString());
        }
        message.setSentDate(new Date());
        message.setHeader(NOTICE_HEADER, "yes");
        return message;
    }

    private static void describe(Mail mail, StringBuilder text) {
        text.append("Sender:      ").append(mail.getMaybeSender().asPrettyString()).append("\r\n")
            .append("Recipients:  ").append(recipients(mail.getRecipients())).append("\r\n")
            .append("Message-ID:  ").append(header(mail, "Message-ID")).append("\r\n")
            .append("Subject:     ").append(decodedHeader(mail, "Subject")).append("\r\n")
            .append("Date:        ").append(header(mail, "Date")).append("\r\n")
            .append("From host:   ").append(clean(mail.getRemoteHost() + " [" + mail.getRemoteAddr() + "]"))
            .append("\r\n")
            .append("Mail name:   ").append(clean(mail.getName())).append("\r\n");
    }

    static String recipients(Collection<MailAddress> recipients) {
        List<String> listed = recipients.stream().limit(MAX_RECIPIENTS_LISTED)
            .map(recipient -> "<" + recipient.asString() + ">").collect(Collectors.toCollection(ArrayList::new));
        if (recipients.size() > MAX_RECIPIENTS_LISTED) {
            listed.add("and " + (recipients.size() - MAX_RECIPIENTS_LISTED) + " more");
        }
        return String.join(", ", listed);
    }

    private static String header(Mail mail, String name) {
        try {
            String value = mail.getMessage().getHeader(name, " ");
            return value == null ? "(none)" : clean(value);
        } catch (MessagingException | RuntimeException e) {
            return "(unreadable)";
        }
    }

    private static String decodedHeader(Mail mail, String name) {
        try {
            String value = mail.getMessage().getHeader(name, " ");
            if (value == null) {
                return "(none)";
            }
            try {
                return clean(MimeUtility.decodeText(MimeUtility.unfold(value)));
            } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
                return clean(value);
            }
        } catch (MessagingException | RuntimeException e) {
            return "(unreadable)";
        }
    }

    private static String rfc822Date(Mail mail) {
        Date arrival = mail.getLastUpdated() == null ? new Date() : mail.getLastUpdated();
        return new javax.mail.internet.MailDateFormat().format(arrival);
    }

    /** The original header block, as the sender wrote it (folded lines kept). */
    private static byte[] originalHeader(MimeMessage message) {
        StringBuilder header = new StringBuilder();
        try {
            Enumeration<String> lines = message.getAllHeaderLines();
            while (lines.hasMoreElements()) {
                header.append(lines.nextElement()).append("\r\n");
            }
        } catch (MessagingException | RuntimeException e) {
            header.append("X-Unreadable-Header: ").append(ascii(String.valueOf(e.getMessage()))).append("\r\n");
        }
        String text = header.toString();
        boolean latin1 = text.chars().allMatch(c -> c <= 0xff);
        return text.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** Untrusted text in a notice: one line, no control characters, bounded. */
    static String clean(String value) {
        StringBuilder clean = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (clean.length() < MAX_VALUE_LENGTH) {
                clean.appendCodePoint(Character.isISOControl(c) ? ' ' : c);
            }
        });
        String result = clean.toString().replaceAll(" {2,}", " ").trim();
        return value.length() > MAX_VALUE_LENGTH ? result + "..." : result;
    }

    private static String ascii(String value) {
        StringBuilder ascii = new StringBuilder();
        for (char c : clean(value).toCharArray()) {
            ascii.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return ascii.toString();
    }
}
