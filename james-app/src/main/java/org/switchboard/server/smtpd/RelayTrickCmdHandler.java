package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.net.InetAddresses;

/**
 * Refuses the classic open-relay address tricks in {@code RCPT TO}, from every client on every port, whatever the
 * domain: they ask a server to forward to a host the envelope does not name, and the relay check (which looks at
 * the domain after the last {@code @}) would let them through as local mail. Each gets {@code 553 5.7.1} and a reason:
 * <ul>
 * <li>source routes {@code <@relay.example:user@other.example>} (RFC 5321 makes them obsolete);</li>
 * <li>more than one {@code @}: {@code <user@other.example@ourdomain>};</li>
 * <li>a {@code %} hack {@code <user%other.example@ourdomain>} or a UUCP bang path {@code <other.example!user@ourdomain>};</li>
 * <li>a quoted local part hiding {@code @}, {@code %} or {@code !}: {@code <"user@other.example"@ourdomain>};</li>
 * <li>a domain with a trailing dot {@code <user@ourdomain.>};</li>
 * <li>an address literal other than the address the client connected to: {@code <user@[192.0.2.1]>}.</li>
 * </ul>
 * It reads the command as sent, before James parses the address (James' {@code MailAddress} means to strip a source
 * route, RFC 5321 allows that, so no later check may count on seeing one), so it must be listed before the core
 * handlers: {@code <handler class="org.switchboard.server.smtpd.RelayTrickCmdHandler"/>}. No parameters.
 */
public class RelayTrickCmdHandler implements CommandHandler<SMTPSession> {
    private static final Logger LOGGER = LoggerFactory.getLogger(RelayTrickCmdHandler.class);

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        Optional<String> path = path(request.getArgument());
        if (path.isEmpty()) {
            // not a path we can read: James' RCPT handler gives its syntax error
            return null;
        }
        Optional<String> trick = trick(path.get(), session.getLocalAddress().getAddress());
        if (trick.isEmpty()) {
            return null;
        }
        LOGGER.info("RelayTrickCmdHandler: refused RCPT <{}> from {}: {}", path.get(),
            ClientAddresses.text(session.getRemoteAddress().getAddress()), trick.get());
        return new SMTPResponse("553", "5.7.1 Rejected: " + trick.get() + "; relay address tricks are refused");
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("RCPT");
    }

    /** The path of {@code TO:<path> parameters}, brackets removed; empty when it is not there or is {@code <>}. */
    static Optional<String> path(String argument) {
        if (argument == null || argument.length() < 3 || !argument.regionMatches(true, 0, "TO:", 0, 3)) {
            return Optional.empty();
        }
        String rest = argument.substring(3).trim();
        if (!rest.startsWith("<")) {
            int space = rest.indexOf(' ');
            rest = space < 0 ? rest : rest.substring(0, space);
            return rest.isEmpty() ? Optional.empty() : Optional.of(rest);
        }
        boolean quoted = false;
        for (int i = 1; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                String path = rest.substring(1, i).trim();
                return path.isEmpty() ? Optional.empty() : Optional.of(path);
            }
        }
        return Optional.empty();
    }

    /** What trick {@code path} plays, or empty when it is a plain address. */
    static Optional<String> trick(String path, InetAddress serverAddress) {
        if (path.startsWith("@")) {
            return Optional.of("source route (@host:user@domain)");
        }
        List<Integer> ats = new ArrayList<>();
        boolean quoted = false;
        boolean quotedRouting = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (quoted && c == '\\') {
                i++;
                if (i < path.length() && "@%!".indexOf(path.charAt(i)) >= 0) {
                    quotedRouting = true;
                }
            } else if (c == '"') {
                quoted = !quoted;
            } else if (quoted && "@%!".indexOf(c) >= 0) {
                quotedRouting = true;
            } else if (c == '@' && !quoted) {
                ats.add(i);
            }
        }
        if (ats.size() > 1) {
            return Optional.of("more than one '@' (user@host@domain)");
        }
        String localPart = ats.isEmpty() ? path : path.substring(0, ats.get(0));
        String domain = ats.isEmpty() ? "" : path.substring(ats.get(0) + 1);
        if (quotedRouting) {
            return Optional.of("quoted local part with '@', '%' or '!' (\"user@host\"@domain)");
        }
        if (localPart.indexOf('%') >= 0) {
            return Optional.of("'%' in the local part (user%host@domain)");
        }
        if (localPart.indexOf('!') >= 0) {
            return Optional.of("bang path (host!user@domain)");
        }
        if (domain.endsWith(".")) {
            return Optional.of("domain with a trailing dot (user@domain.)");
        }
        if (domain.startsWith("[")) {
            return foreignLiteral(domain, serverAddress);
        }
        return Optional.empty();
    }

    private static Optional<String> foreignLiteral(String domain, InetAddress serverAddress) {
        String literal = domain.endsWith("]") ? domain.substring(1, domain.length() - 1) : domain.substring(1);
        if (literal.toLowerCase(Locale.ROOT).startsWith("ipv6:")) {
            literal = literal.substring(5);
        }
        if (!InetAddresses.isInetAddress(literal)) {
            return Optional.of("invalid address literal " + domain);
        }
        if (InetAddresses.forString(literal).equals(serverAddress)) {
            return Optional.empty();
        }
        return Optional.of("address literal " + domain + " is not this server (user@[address])");
    }
}
