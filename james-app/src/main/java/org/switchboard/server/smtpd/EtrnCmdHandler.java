package org.switchboard.server.smtpd;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.server.smtpc.SmtpcService;

/**
 * ETRN (RFC 1985), server side: a peer asks for the mail SMTPC holds for it. Only the domains whose SMTPC profile
 * holds their mail ({@code <hold>true</hold>}, ETRN domains) are started; others get 459. {@code ETRN domain} starts
 * that domain's queue, {@code ETRN @domain} the ETRN domains at and under it, {@code ETRN #queue} the SMTPC channel
 * of that name (channels are named by domain). Replies: 253 with the number of mails started, 251 when none wait,
 * 459 for a node that is not an ETRN domain, 458 when SMTPC cannot start queues, 501 for a bad argument.
 * Advertised in EHLO.
 */
public class EtrnCmdHandler implements CommandHandler<SMTPSession>, EhloExtension {
    private static final Logger LOGGER = LoggerFactory.getLogger(EtrnCmdHandler.class);
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\\.?)*[A-Za-z0-9]");

    private final SmtpcService smtpc;

    @Inject
    public EtrnCmdHandler(SmtpcService smtpc) {
        this.smtpc = smtpc;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("ETRN");
    }

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        return List.of("ETRN");
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String argument = request.getArgument() == null ? "" : request.getArgument().trim();
        boolean subdomains = argument.startsWith("@");
        boolean queue = argument.startsWith("#");
        String node = subdomains || queue ? argument.substring(1) : argument;
        if (!DOMAIN.matcher(node).matches()) {
            return new SMTPResponse("501", "5.5.4 Syntax: ETRN domain, ETRN @domain or ETRN #queue");
        }
        try {
            Response response;
            if (subdomains) {
                Map<String, Integer> started = smtpc.etrnSubdomains(node);
                response = started.isEmpty()
                    ? notAllowed(argument)
                    : started(argument, started.values().stream().mapToInt(Integer::intValue).sum());
            } else {
                Optional<Integer> started = smtpc.etrn(node);
                response = started.map(count -> started(argument, count)).orElseGet(() -> notAllowed(argument));
            }
            LOGGER.info("ETRN {} from {}: {}", argument, session.getRemoteAddress().getAddress().getHostAddress(),
                String.join(" ", response.getLines()));
            return response;
        } catch (RuntimeException e) {
            LOGGER.warn("ETRN {}: queues could not be started: {}", argument, e.toString());
            return new SMTPResponse("458", "4.3.0 Unable to queue messages for node " + argument);
        }
    }

    private static Response started(String node, int count) {
        return count == 0
            ? new SMTPResponse("251", "2.0.0 OK, no messages waiting for node " + node)
            : new SMTPResponse("253", "2.0.0 OK, " + count + " pending messages for node " + node + " started");
    }

    private static Response notAllowed(String node) {
        return new SMTPResponse("459", "5.7.1 Node " + node + " not allowed: not an ETRN domain of this server");
    }
}
