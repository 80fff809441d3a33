package org.switchboard.server.smtpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.SendFailedException;
import javax.mail.Session;
import javax.mail.URLName;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.switchboard.server.smtpd.MtPriorityHook;

import com.sun.mail.smtp.SMTPAddressFailedException;
import com.sun.mail.smtp.SMTPMessage;
import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;

/**
 * One SMTP connection to a peer, over Jakarta Mail's {@link SMTPTransport} (as James' RemoteDelivery): EHLO, STARTTLS
 * when the peer offers it, then any number of mails, each with its own envelope (MAIL FROM, with MT-PRIORITY and DSN
 * NOTIFY/RET when the peer supports them; RCPT TO; DATA), until {@link #close}.
 *
 * <p>TLS is opportunistic, as between MTAs without DANE or MTA-STS: the peer's certificate is not verified (a peer
 * without STARTTLS still gets the mail in clear, as RFC 3207 allows).
 */
final class SmtpPeerSession implements AutoCloseable {
    /** A connection idle longer than this is checked with NOOP before it carries another mail. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Hop hop;
    private final Session mailSession;
    private final SMTPTransport transport;
    private int sent;
    private int transactions;
    private long lastUsedNanos;

    private SmtpPeerSession(Hop hop, Session mailSession, SMTPTransport transport) {
        this.hop = hop;
        this.mailSession = mailSession;
        this.transport = transport;
        this.lastUsedNanos = System.nanoTime();
    }

    /**
     * The mail session every connection shares (built once: building one reads the mail providers off the whole class
     * path); what varies per mail, its envelope, travels with the message ({@link EnvelopedMessage}).
     */
    static Session mailSession(String heloName, long connectTimeoutMillis, long replyTimeoutMillis, boolean startTls) {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.localhost", heloName);
        properties.setProperty("mail.smtp.connectiontimeout", String.valueOf(connectTimeoutMillis));
        properties.setProperty("mail.smtp.timeout", String.valueOf(replyTimeoutMillis));
        properties.setProperty("mail.smtp.writetimeout", String.valueOf(replyTimeoutMillis));
        properties.setProperty("mail.smtp.starttls.enable", String.valueOf(startTls));
        properties.setProperty("mail.smtp.ssl.trust", "*");
        properties.setProperty("mail.smtp.ssl.checkserveridentity", "false");
        // the mail goes out as it was received: no re-encoding, no saveChanges
        properties.setProperty("mail.smtp.allow8bitmime", "false");
        return Session.getInstance(properties);
    }

    /** Opens a session; the exception says why none could be opened (refused, timed out, a 4xx/5xx greeting). */
    static SmtpPeerSession open(Session mailSession, Hop hop) throws MessagingException {
        SMTPTransport transport = new SMTPTransport(mailSession, new URLName("smtp", hop.address(), hop.port(), null, null, null));
        transport.connect(hop.address(), hop.port(), null, null);
        return new SmtpPeerSession(hop, mailSession, transport);
    }

    Hop hop() {
        return hop;
    }

    /** Asks the peer to start delivering the mail it holds for {@code name} (RFC 1985); returns its reply. */
    String etrn(String name) throws MessagingException {
        transport.simpleCommand("ETRN " + name);
        return transport.getLastServerResponse().trim();
    }

    /** Mails the peer took (for at least one recipient). */
    int sent() {
        return sent;
    }

    /** Mails tried over this connection, taken or not. */
    int transactions() {
        return transactions;
    }

    /**
     * Whether the connection still takes mail: asked of the peer (NOOP) only when it has been idle for a while, since
     * a peer may close an idle connection; a mail sent over a connection found lost would be deferred.
     */
    boolean usable() {
        return System.nanoTime() - lastUsedNanos < IDLE_CHECK_NANOS || transport.isConnected();
    }

    /** Sends one mail to its recipients. Never throws: every failure is a recipient's outcome. */
    DeliveryOutcome send(Mail mail) {
        List<MailAddress> recipients = List.copyOf(mail.getRecipients());
        Address[] addresses;
        try {
            addresses = internetAddresses(recipients);
        } catch (AddressException e) {
            return allFailed(recipients, "553 5.1.3 address not usable in SMTP: " + e.getMessage(), true, false);
        }
        DeliveryOutcome outcome;
        transactions++;
        try {
            transport.sendMessage(envelope(mail, recipients), addresses);
            outcome = new DeliveryOutcome(recipients, Map.of(), Map.of(), false);
        } catch (SendFailedException e) {
            // neither a reply code nor a refused recipient: the peer closed the connection or did not answer in time
            outcome = replyCode(e) > 0 || refusedRecipient(e) ? partial(recipients, e) : lost(recipients, e);
        } catch (MessagingException e) {
            outcome = lost(recipients, e);
        }
        if (!outcome.delivered().isEmpty()) {
            sent++;
        }
        lastUsedNanos = System.nanoTime();
        return outcome;
    }

    private static boolean refusedRecipient(MessagingException failure) {
        Exception next = failure;
        while (next instanceof MessagingException messaging) {
            if (messaging instanceof SMTPAddressFailedException) {
                return true;
            }
            next = messaging.getNextException();
        }
        return false;
    }

    private DeliveryOutcome lost(List<MailAddress> recipients, MessagingException failure) {
        return allFailed(recipients, "connection to " + hop + " lost: " + describe(failure), false, true);
    }

    private EnvelopedMessage envelope(Mail mail, Collection<MailAddress> recipients) throws MessagingException {
        EnvelopedMessage message = new EnvelopedMessage(mailSession, mail.getMessage(),
            mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("<>"));
        Optional<Integer> mtPriority = mail.getAttribute(MtPriorityHook.ATTRIBUTE)
            .flatMap(attribute -> attribute.getValue().valueAs(Integer.class));
        if (mtPriority.isPresent() && transport.supportsExtension("MT-PRIORITY")) {
            message.setMailExtension("MT-PRIORITY=" + mtPriority.get());
        }
        Optional<DsnParameters> dsn = mail.dsnParameters();
        // Jakarta Mail has one NOTIFY for all recipients: relayed when the recipients agree
        Set<Set<DsnParameters.Notify>> notify = recipients.stream()
            .map(recipient -> dsn.flatMap(parameters -> Optional.ofNullable(parameters.getRcptParameters().get(recipient)))
                .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .<Set<DsnParameters.Notify>>map(Set::copyOf)
                .orElse(Set.of()))
            .collect(Collectors.toSet());
        if (notify.size() == 1 && !notify.iterator().next().isEmpty()) {
            message.setNotifyOptions(notifyOptions(notify.iterator().next()));
        }
        dsn.flatMap(DsnParameters::getRetParameter).ifPresent(ret ->
            message.setReturnOption(ret == DsnParameters.Ret.HDRS ? SMTPMessage.RETURN_HDRS : SMTPMessage.RETURN_FULL));
        return message;
    }

    private static int notifyOptions(Set<DsnParameters.Notify> notify) {
        if (notify.contains(DsnParameters.Notify.NEVER)) {
            return SMTPMessage.NOTIFY_NEVER;
        }
        return (notify.contains(DsnParameters.Notify.SUCCESS) ? SMTPMessage.NOTIFY_SUCCESS : 0)
            | (notify.contains(DsnParameters.Notify.FAILURE) ? SMTPMessage.NOTIFY_FAILURE : 0)
            | (notify.contains(DsnParameters.Notify.DELAY) ? SMTPMessage.NOTIFY_DELAY : 0);
    }

    private static Address[] internetAddresses(List<MailAddress> recipients) throws AddressException {
        Address[] addresses = new Address[recipients.size()];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = new InternetAddress(recipients.get(i).asString(), true);
        }
        return addresses;
    }

    /**
     * Sorts the recipients of a refused or partly refused mail: those the peer took, and the others with the reply
     * that refused them (their RCPT's, else the MAIL FROM or DATA reply that refused the whole mail).
     */
    private static int replyCode(SendFailedException failure) {
        return failure instanceof SMTPSendFailedException smtp ? smtp.getReturnCode() : -1;
    }

    private DeliveryOutcome partial(List<MailAddress> recipients, SendFailedException failure) {
        Set<String> sentTo = addressSet(failure.getValidSentAddresses());
        Map<String, String> rcptReplies = new LinkedHashMap<>();
        Exception next = failure;
        while (next instanceof MessagingException messaging) {
            if (messaging instanceof SMTPAddressFailedException refused) {
                rcptReplies.put(refused.getAddress().getAddress().toLowerCase(), clean(refused.getMessage()));
            }
            next = messaging.getNextException();
        }
        String wholeReply = replyCode(failure) > 0
            ? clean(failure.getMessage())
            : "connection to " + hop + " lost: " + describe(failure);
        List<MailAddress> delivered = new ArrayList<>();
        Map<MailAddress, String> permanent = new LinkedHashMap<>();
        Map<MailAddress, String> temporary = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            String key = recipient.asString().toLowerCase();
            if (sentTo.contains(key)) {
                delivered.add(recipient);
                continue;
            }
            String reply = rcptReplies.getOrDefault(key, wholeReply);
            if (reply.startsWith("5")) {
                permanent.put(recipient, reply);
            } else {
                temporary.put(recipient, reply);
            }
        }
        return new DeliveryOutcome(delivered, permanent, temporary, !transport.isConnected());
    }

    private static Set<String> addressSet(Address[] addresses) {
        if (addresses == null) {
            return Set.of();
        }
        return Arrays.stream(addresses)
            .map(address -> ((InternetAddress) address).getAddress().toLowerCase())
            .collect(Collectors.toSet());
    }

    private static DeliveryOutcome allFailed(List<MailAddress> recipients, String reply, boolean permanently,
                                             boolean connectionLost) {
        Map<MailAddress, String> failed = new LinkedHashMap<>();
        recipients.forEach(recipient -> failed.put(recipient, reply));
        return permanently
            ? new DeliveryOutcome(List.of(), failed, Map.of(), connectionLost)
            : new DeliveryOutcome(List.of(), Map.of(), failed, connectionLost);
    }

    private static String clean(String reply) {
        return reply == null ? "" : reply.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** The innermost cause's message: "Connection refused", "Read timed out", "[EOF]". */
    static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return cause == failure ? clean(message) : clean(failure.getMessage()) + " (" + clean(message) + ")";
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (MessagingException e) {
            // QUIT on a broken connection: the connection is gone either way
        }
    }
}
