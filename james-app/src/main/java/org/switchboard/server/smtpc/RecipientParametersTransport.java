package org.switchboard.server.smtpc;

import java.util.Locale;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;

import com.sun.mail.smtp.SMTPTransport;

/**
 * Jakarta Mail's SMTP transport with parameters of each recipient's own on its RCPT command: RFC 3461 gives every
 * recipient its NOTIFY and ORCPT, where {@link SMTPTransport} has one NOTIFY for the whole mail and no ORCPT.
 */
final class RecipientParametersTransport extends SMTPTransport {
    private static final String RCPT = "RCPT TO:";
    /** Lower-case address to the parameters its RCPT command ends with (" NOTIFY=... ORCPT=..."), for the mail at hand. */
    private Map<String, String> parameters = Map.of();

    RecipientParametersTransport(Session session, URLName name) {
        super(session, name);
    }

    /** The RCPT parameters of the next mail's recipients, by lower-case address. */
    void recipientParameters(Map<String, String> parameters) {
        this.parameters = parameters;
    }

    @Override
    protected void sendCommand(String command) throws MessagingException {
        if (!parameters.isEmpty() && command.regionMatches(true, 0, RCPT, 0, RCPT.length())) {
            int open = command.indexOf('<');
            int close = command.indexOf('>', open + 1);
            if (open > 0 && close > open) {
                String address = command.substring(open + 1, close).toLowerCase(Locale.ROOT);
                super.sendCommand(command + parameters.getOrDefault(address, ""));
                return;
            }
        }
        super.sendCommand(command);
    }
}
