package org.switchboard.mailets.dsn;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.InitParameters;

/**
 * Sends the envelope sender an RFC 3464 delivery status notification for the recipients of the mail: a
 * {@code multipart/report; report-type=delivery-status} with a human-readable part, a {@code message/delivery-status}
 * part (Original-Envelope-Id from ENVID, Reporting-MTA, Arrival-Date, and per recipient Original-Recipient from
 * ORCPT, Final-Recipient, Action, Status, Diagnostic-Code) and the returned content RET asked for (HDRS: the header as
 * {@code text/rfc822-headers}, FULL: the whole message as {@code message/rfc822}; without RET, {@code attachment}).
 *
 * <p>James' {@code DSNBounce} writes no Original-Recipient, which RFC 3461 section 6.3 asks for when ORCPT was
 * given; this mailet does, and it is the one that reports successful local delivery (after
 * {@code MessageStoreDelivery} with {@code consume=false}). Which recipients get a notice is the matcher's choice
 * ({@code DSNSuccessRequested}, {@code DSNFailureRequested=shouldNotMatchByDefault}): this mailet reports every
 * recipient of the mail it is given. A mail with the null sender (a notice itself) gets none (RFC 3461 section 6.2).
 *
 * <p>Parameters: {@code action} (delivered, failed, delayed, relayed, expanded; required), {@code status} (default
 * 2.0.0, 5.0.0, 4.0.0, 2.0.0, 2.0.0 per action; a mail's error message that starts with an SMTP reply and an
 * enhanced code, e.g. "550 5.1.1 no such user", gives its own), {@code attachment} (headers, full or none when RET
 * was not given; default headers), {@code reportingMta} (default: this host's name), {@code passThrough} (default
 * false: the mail ends here).
 */
public class DeliveryStatusNotification extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryStatusNotification.class);
    /** Where James' DSN hooks put the time the SMTP server accepted the mail. */
    static final AttributeName ARRIVAL_DATE = AttributeName.of("dsn-arrival-date");
    /** Where James' RemoteDelivery puts the remote server's reply (SMTPC uses it for delayed/failed notices). */
    static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    private static final Pattern SMTP_REPLY = Pattern.compile("^([245]\\d\\d)[ -]([245]\\.\\d{1,3}\\.\\d{1,3})\\b.*", Pattern.DOTALL);
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final DateTimeFormatter RFC_5322_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final String CRLF = "\r\n";

    enum Action {
        DELIVERED("2.0.0"), FAILED("5.0.0"), DELAYED("4.0.0"), RELAYED("2.0.0"), EXPANDED("2.0.0");

        private final String defaultStatus;

        Action(String defaultStatus) {
            this.defaultStatus = defaultStatus;
        }

        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum Attachment {
        HEADERS, FULL, NONE
    }

    private Action action;
    private String status;
    private Attachment attachment;
    private String reportingMta;
    private boolean passThrough;

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of("action", "status", "attachment", "reportingMta", "passThrough"));
        parameters.required("action", "delivered or failed");
        action = parameters.choice("action", Action.class, Action.FAILED);
        status = parameters.value("status", action.defaultStatus);
        if (!STATUS.matcher(status).matches()) {
            throw parameters.invalid("status", status, "not an RFC 3463 status code such as " + action.defaultStatus);
        }
        attachment = parameters.choice("attachment", Attachment.class, Attachment.HEADERS);
        reportingMta = parameters.optional("reportingMta").orElseGet(DeliveryStatusNotification::localHostName);
        passThrough = parameters.flag("passThrough", false);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String getMailetInfo() {
        return "RFC 3464 delivery status notification (" + action.field() + ")";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<MailAddress> sender = mail.getMaybeSender().asOptional();
        if (sender.isEmpty()) {
            LOGGER.debug("Mail {}: no {} notice, its sender is null", mail.getName(), action.field());
        } else if (!mail.getRecipients().isEmpty()) {
            MailImpl notice = MailImpl.builder()
                .name(MailImpl.getId())
                .sender(MaybeSender.nullSender())
                .addRecipient(sender.get())
                .mimeMessage(report(mail, sender.get()))
                .build();
            try {
                getMailetContext().sendMail(notice);
                LOGGER.info("Mail {}: {} notice for {} sent to {}", mail.getName(), action.field(), mail.getRecipients(), sender.get());
            } finally {
                notice.dispose();
            }
        }
        if (!passThrough) {
            mail.setState(Mail.GHOST);
        }
    }

    private MimeMessage report(Mail mail, MailAddress to) throws MessagingException {
        Optional<DsnParameters> dsn = mail.dsnParameters();
        MimeMultipart report = new ReportMultipart();
        report.addBodyPart(humanReadable(mail));
        report.addBodyPart(deliveryStatus(mail, dsn));
        Attachment returned = dsn.flatMap(DsnParameters::getRetParameter)
            .map(ret -> ret == DsnParameters.Ret.FULL ? Attachment.FULL : Attachment.HEADERS)
            .orElse(attachment);
        if (returned != Attachment.NONE) {
            report.addBodyPart(returnedContent(mail.getMessage(), returned));
        }
        MimeMessage message = new MimeMessage(Session.getDefaultInstance(System.getProperties()));
        message.setContent(report);
        message.setHeader("Content-Type", report.getContentType());
        message.setFrom(getMailetContext().getPostmaster().toInternetAddress().orElseThrow());
        message.setRecipients(MimeMessage.RecipientType.TO, to.asString());
        message.setSubject("Delivery Status Notification (" + action.field() + ")");
        message.setHeader("Auto-Submitted", "auto-replied");
        message.setSentDate(new java.util.Date());
        message.saveChanges();
        return message;
    }

    private MimeBodyPart humanReadable(Mail mail) throws MessagingException {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail server at ").append(reportingMta).append('.').append(CRLF).append(CRLF);
        text.append(switch (action) {
            case DELIVERED -> "Your message was delivered to the following recipients:";
            case FAILED -> "Your message could not be delivered to the following recipients; this is a permanent error:";
            case DELAYED -> "Your message has not yet been delivered to the following recipients; the server keeps trying:";
            case RELAYED -> "Your message was relayed to a server that sends no delivery notices, for:";
            case EXPANDED -> "Your message was expanded to a list of recipients, for:";
        }).append(CRLF).append(CRLF);
        for (MailAddress recipient : mail.getRecipients()) {
            text.append("    ").append(recipient.asString()).append(CRLF);
        }
        diagnostic(mail).ifPresent(reason -> text.append(CRLF).append("Reason: ").append(reason).append(CRLF));
        Optional.ofNullable(mail.getMessage().getSubject())
            .ifPresent(subject -> text.append(CRLF).append("Subject of your message: ").append(subject).append(CRLF));
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text.toString(), "UTF-8");
        return part;
    }

    private MimeBodyPart deliveryStatus(Mail mail, Optional<DsnParameters> dsn) throws MessagingException {
        StringBuilder fields = new StringBuilder();
        dsn.flatMap(DsnParameters::getEnvIdParameter)
            .ifPresent(envId -> fields.append("Original-Envelope-Id: ").append(DsnParameters.XText.decode(envId.asString())).append(CRLF));
        fields.append("Reporting-MTA: dns; ").append(reportingMta).append(CRLF);
        Optional.ofNullable(mail.getRemoteHost()).filter(host -> !host.isBlank())
            .ifPresent(host -> fields.append("Received-From-MTA: dns; ").append(host).append(CRLF));
        mail.getAttribute(ARRIVAL_DATE).map(Attribute::getValue).map(AttributeValue::value)
            .filter(ZonedDateTime.class::isInstance).map(ZonedDateTime.class::cast)
            .ifPresent(arrival -> fields.append("Arrival-Date: ").append(RFC_5322_DATE.format(arrival)).append(CRLF));
        String recipientStatus = statusOf(mail);
        Optional<String> diagnostic = diagnostic(mail);
        for (MailAddress recipient : mail.getRecipients()) {
            fields.append(CRLF);
            dsn.map(parameters -> parameters.getRcptParameters().get(recipient))
                .flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter)
                .ifPresent(original -> fields.append("Original-Recipient: rfc822; ").append(original.asString()).append(CRLF));
            fields.append("Final-Recipient: rfc822; ").append(recipient.asString()).append(CRLF);
            fields.append("Action: ").append(action.field()).append(CRLF);
            fields.append("Status: ").append(recipientStatus).append(CRLF);
            if (action == Action.FAILED || action == Action.DELAYED) {
                diagnostic.ifPresent(reason -> fields.append("Diagnostic-Code: ")
                    .append(SMTP_REPLY.matcher(reason).matches() ? "smtp; " : "x-switchboard; ")
                    .append(reason.replaceAll("\\s*[\\r\\n]+\\s*", " ")).append(CRLF));
                fields.append("Last-Attempt-Date: ").append(RFC_5322_DATE.format(ZonedDateTime.now())).append(CRLF);
            }
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setText(fields.toString(), "US-ASCII");
        part.setHeader("Content-Type", "message/delivery-status");
        return part;
    }

    /** The remote server's reply (RemoteDelivery), else the error message the pipeline gave the mail. */
    private Optional<String> diagnostic(Mail mail) {
        return mail.getAttribute(DELIVERY_ERROR).map(Attribute::getValue).map(AttributeValue::value)
            .filter(String.class::isInstance).map(String.class::cast)
            .or(() -> Optional.ofNullable(mail.getErrorMessage()))
            .map(String::trim)
            .filter(reason -> !reason.isEmpty());
    }

    /** The enhanced code of an SMTP reply the mail failed with (of the same class as the action), else the configured one. */
    private String statusOf(Mail mail) {
        return diagnostic(mail).map(SMTP_REPLY::matcher).filter(Matcher::matches).map(reply -> reply.group(2))
            .filter(code -> code.charAt(0) == status.charAt(0))
            .orElse(status);
    }

    private static MimeBodyPart returnedContent(MimeMessage original, Attachment returned) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        if (returned == Attachment.FULL) {
            part.setContent(original, "message/rfc822");
        } else {
            StringBuilder header = new StringBuilder();
            Enumeration<String> lines = original.getAllHeaderLines();
            while (lines.hasMoreElements()) {
                header.append(lines.nextElement()).append(CRLF);
            }
            part.setText(header.toString(), "UTF-8");
            part.setHeader("Content-Type", "text/rfc822-headers");
        }
        return part;
    }

    /** {@code multipart/report} with the report-type parameter RFC 6522 requires. */
    private static final class ReportMultipart extends MimeMultipart {
        ReportMultipart() throws MessagingException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", "delivery-status");
            contentType = type.toString();
        }
    }
}
