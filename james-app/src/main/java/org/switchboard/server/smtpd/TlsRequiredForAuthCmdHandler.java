package org.switchboard.server.smtpd;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Refuses {@code AUTH} before STARTTLS on a server that offers STARTTLS, with RFC 4954's
 * {@code 538 5.7.11 Encryption required}. James' {@code <requireSSL>} only hides AUTH from EHLO; a client that sends
 * it anyway would otherwise log in with its password in clear. Without STARTTLS support the handler does nothing.
 * It must come before James' core handlers:
 * <pre>{@code <handler class="org.switchboard.server.smtpd.TlsRequiredForAuthCmdHandler"/>}</pre>
 */
public class TlsRequiredForAuthCmdHandler implements CommandHandler<SMTPSession> {
    private static final Response ENCRYPTION_REQUIRED =
        new SMTPResponse("538", "5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first").immutable();

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.isStartTLSSupported() && !session.isTLSStarted()) {
            return ENCRYPTION_REQUIRED;
        }
        // James' AuthCmdHandler answers
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("AUTH");
    }
}
