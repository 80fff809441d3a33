package org.switchboard.mailets.bsmtp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * The BSMTPOUT channel (spec: BSMTP Tunnel Encoder): wraps the mail and its envelope into a new message of type
 * {@code application/batch-SMTP} (RFC 2442) addressed to the channel identifier address of the recipients' route
 * (the address after {@code BSMTPOUT$}, from the directory or the domain forwarding table), and sends that message
 * through the spool for normal delivery. One tunnel message per channel identifier address, holding every recipient
 * routed to it (Bcc and expanded recipients included: they are the envelope's). The mail is then done (ghosted).
 *
 * <p>A recipient without a BSMTPOUT route cannot be tunnelled: the mail goes on to the {@code error} processor with
 * those recipients only, and a message saying why.
 */
public class BatchSmtpEncoder extends GenericMailet {
    public static final String SENDER_PARAMETER = "sender";
    private static final Logger LOGGER = LoggerFactory.getLogger(BatchSmtpEncoder.class);

    /** Empty: the postmaster, asked at each mail (the mailet context knows it once the server has started). */
    private Optional<MailAddress> sender;

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(SENDER_PARAMETER));
        Optional<String> configured = parameters.optional(SENDER_PARAMETER);
        sender = Optional.empty();
        if (configured.isPresent()) {
            try {
                sender = Optional.of(new MailAddress(configured.get()));
            } catch (AddressException e) {
                throw parameters.invalid(SENDER_PARAMETER, configured.get(), "not a mail address");
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        Map<MailAddress, List<MailAddress>> byTunnel = new LinkedHashMap<>();
        List<MailAddress> notTunnelled = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Route route = routes.get(recipient);
            if (route == null || route.channel() != Channel.BSMTPOUT) {
                notTunnelled.add(recipient);
            } else {
                byTunnel.computeIfAbsent(route.mailAddress().orElseThrow(), tunnel -> new ArrayList<>()).add(recipient);
            }
        }
        MailAddress from = sender.orElseGet(getMailetContext()::getPostmaster);
        List<MailAddress> tunnelled = new ArrayList<>();
        for (Map.Entry<MailAddress, List<MailAddress>> tunnel : byTunnel.entrySet()) {
            Envelope envelope = new Envelope(mail.getMaybeSender(), tunnel.getValue());
            try {
                getMailetContext().sendMail(from, List.of(tunnel.getKey()),
                    TunnelMessage.create(envelope, mail.getMessage(), from, tunnel.getKey(), mail.getName()));
            } catch (MessagingException | RuntimeException e) {
                // the recipients already tunnelled must not be tunnelled again when James' error handling replays
                List<MailAddress> remaining = new ArrayList<>(mail.getRecipients());
                remaining.removeAll(tunnelled);
                mail.setRecipients(remaining);
                throw e;
            }
            tunnelled.addAll(tunnel.getValue());
            LOGGER.info("Mail {} from {} to {} tunnelled (BSMTP) to {}", mail.getName(), envelope.reversePath(),
                tunnel.getValue(), tunnel.getKey().asString());
        }
        if (notTunnelled.isEmpty()) {
            mail.setState(Mail.GHOST);
            return;
        }
        mail.setRecipients(notTunnelled);
        mail.setErrorMessage("BSMTP encoder: no BSMTPOUT route for " + join(notTunnelled));
        mail.setState(Mail.ERROR);
        LOGGER.warn("Mail {}: no BSMTPOUT route for {}, sent to the error processor", mail.getName(), notTunnelled);
    }

    private static String join(Collection<MailAddress> addresses) {
        return String.join(", ", addresses.stream().map(MailAddress::asString).toList());
    }

    @Override
    public String getMailetInfo() {
        return "BatchSmtpEncoder: tunnels mail and its envelope as application/batch-SMTP (RFC 2442)";
    }
}
