package org.switchboard.server.smtpc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.server.smtpd.BodyParameterHook;
import org.switchboard.server.smtpd.MtPriorityHook;

import com.sun.mail.smtp.SMTPAddressFailedException;
import com.sun.mail.smtp.SMTPMessage;
import com.sun.mail.smtp.SMTPSendFailedException;
import com.sun.mail.smtp.SMTPTransport;

/**
 * One SMTP connection to a peer, over Jakarta Mail's {@link SMTPTransport} (as James' RemoteDelivery): EHLO, STARTTLS
 * when the peer offers it, then any number of mails, each with its own envelope (MAIL FROM, with MT-PRIORITY, BODY and
 * DSN ENVID/RET when the peer supports them; RCPT TO with each recipient's own NOTIFY and ORCPT; DATA), until
 * {@link #close}.
 *
 * <p>8-bit mail for a peer that does not announce 8BITMIME is converted to 7 bit first ({@link SevenBitConversion}),
 * or refused for good when it cannot be (a bounce with 5.6.3): 8-bit octets never reach a 7-bit peer.
 *
 * <p>TLS is opportunistic, as between MTAs without DANE or MTA-STS: the peer's certificate is not verified (a peer
 * without STARTTLS still gets the mail in clear, as RFC 3207 allows).
 */
final class SmtpPeerSession implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpPeerSession.class);
    private static final String EIGHT_BIT_MIME = "8BITMIME";
    /** A connection idle longer than this is checked with NOOP before it carries another mail. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Hop hop;
    private final Session mailSession;
    private final RecipientParametersTransport transport;
    private int sent;
    private int transactions;
    private long lastUsedNanos;

    private SmtpPeerSession(Hop hop, Session mailSession, RecipientParametersTransport transport) {
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
        RecipientParametersTransport transport = new RecipientParametersTransport(mailSession,
            new URLName("smtp", hop.address(), hop.port(), null, null, null));
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
        MimeMessage content;
        try {
            content = sevenBitUnlessPeerTakes8Bit(mail);
        } catch (SevenBitConversion.NotConvertible e) {
            return allFailed(recipients, "554 5.6.3 " + hop + " does not accept 8-bit mail (no 8BITMIME) and the "
                + "message cannot be converted to 7 bit: " + e.getMessage(), true, false);
        } catch (IOException | MessagingException e) {
            return allFailed(recipients, "451 4.3.0 the message could not be read for conversion to 7 bit: "
                + e.getMessage(), false, false);
        }
        DeliveryOutcome outcome;
        transactions++;
        try {
            transport.sendMessage(envelope(mail, recipients, content), addresses);
            outcome = new DeliveryOutcome(recipients, Map.of(), Map.of(), false, peerTakesDsn());
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

    private boolean peerTakesDsn() {
        return transport.supportsExtension("DSN");
    }

    /**
     * The message as it may go to this peer: as received when the peer announces 8BITMIME or the message is 7-bit
     * already, else converted to 7 bit.
     */
    private MimeMessage sevenBitUnlessPeerTakes8Bit(Mail mail)
            throws IOException, MessagingException, SevenBitConversion.NotConvertible {
        MimeMessage message = mail.getMessage();
        if (transport.supportsExtension(EIGHT_BIT_MIME)) {
            return message;
        }
        ByteArrayOutputStream octets = new ByteArrayOutputStream(Math.max(1024, (int) mail.getMessageSize()));
        message.writeTo(octets);
        Optional<byte[]> converted = SevenBitConversion.convert(new ByteArrayInputStream(octets.toByteArray()));
        if (converted.isEmpty()) {
            return message;
        }
        LOGGER.info("SMTPC: mail {} converted to 7 bit for {}, which does not announce 8BITMIME", mail.getName(), hop);
        return new MimeMessage(mailSession, new ByteArrayInputStream(converted.get()));
    }

    private EnvelopedMessage envelope(Mail mail, Collection<MailAddress> recipients, MimeMessage content)
            throws MessagingException {
        EnvelopedMessage message = new EnvelopedMessage(mailSession, content,
            mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("<>"));
        List<String> mailParameters = new ArrayList<>();
        Optional<Integer> mtPriority = mail.getAttribute(MtPriorityHook.ATTRIBUTE)
            .flatMap(attribute -> attribute.getValue().valueAs(Integer.class));
        if (mtPriority.isPresent() && transport.supportsExtension("MT-PRIORITY")) {
            mailParameters.add("MT-PRIORITY=" + mtPriority.get());
        }
        // RFC 6152: a mail declared 8-bit keeps its declaration (a 7-bit peer got it converted instead)
        boolean declared8Bit = mail.getAttribute(BodyParameterHook.ATTRIBUTE)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class))
            .filter(EIGHT_BIT_MIME::equals)
            .isPresent();
        if (declared8Bit && transport.supportsExtension(EIGHT_BIT_MIME)) {
            mailParameters.add("BODY=" + EIGHT_BIT_MIME);
        }
        Optional<DsnParameters> dsn = mail.dsnParameters();
        if (dsn.isPresent() && peerTakesDsn()) {
            // RFC 3461 section 5.2: a DSN-capable next hop gets the DSN parameters as they were received
            dsn.get().getEnvIdParameter().ifPresent(envId -> mailParameters.add("ENVID=" + envId.asString()));
            dsn.get().getRetParameter().ifPresent(ret ->
                message.setReturnOption(ret == DsnParameters.Ret.HDRS ? SMTPMessage.RETURN_HDRS : SMTPMessage.RETURN_FULL));
            transport.recipientParameters(recipientParameters(dsn.get(), recipients));
        } else {
            transport.recipientParameters(Map.of());
        }
        if (!mailParameters.isEmpty()) {
            message.setMailExtension(String.join(" ", mailParameters));
        }
        return message;
    }

    /**
     * Each recipient's NOTIFY as received and its ORCPT, the one received or, when none was, its own address (RFC 3461
     * section 6.2: the original recipient must not be lost on the way).
     */
    private static Map<String, String> recipientParameters(DsnParameters dsn, Collection<MailAddress> recipients) {
        Map<String, String> parameters = new HashMap<>();
        for (MailAddress recipient : recipients) {
            Optional<DsnParameters.RecipientDsnParameters> given = Optional.ofNullable(dsn.getRcptParameters().get(recipient));
            StringBuilder line = new StringBuilder();
            given.flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter).ifPresent(notify -> line.append(" NOTIFY=")
                .append(notify.stream().map(Enum::name).collect(Collectors.joining(","))));
            MailAddress original = given.flatMap(DsnParameters.RecipientDsnParameters::getOrcptParameter).orElse(recipient);
            line.append(" ORCPT=rfc822;").append(DsnParameters.XText.encode(original.asString()));
            parameters.put(recipient.asString().toLowerCase(Locale.ROOT), line.toString());
        }
        return parameters;
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
        return new DeliveryOutcome(delivered, permanent, temporary, !transport.isConnected(), peerTakesDsn());
    }

    private static Set<String> addressSet(Address[] addresses) {
        if (addresses == null) {
            return Set.of();
        }
        return Arrays.stream(addresses)
            .map(address -> ((InternetAddress) address).getAddress().toLowerCase())
            .collect(Collectors.toSet());
    }

    private DeliveryOutcome allFailed(List<MailAddress> recipients, String reply, boolean permanently,
                                             boolean connectionLost) {
        Map<MailAddress, String> failed = new LinkedHashMap<>();
        recipients.forEach(recipient -> failed.put(recipient, reply));
        return permanently
            ? new DeliveryOutcome(List.of(), failed, Map.of(), connectionLost, false)
            : new DeliveryOutcome(List.of(), Map.of(), failed, connectionLost, false);
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
