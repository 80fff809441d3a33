package org.switchboard.server.pop3;

import java.util.Collection;
import java.util.List;

import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;

/**
 * Refuses the POP3 login commands ({@code USER}, {@code PASS}, {@code APOP}, {@code AUTH}) until the client has
 * issued {@code STLS}, on a server that offers it, so passwords never travel in clear (James' POP3 server has no
 * such switch). Without STLS support the handler does nothing. It must come before James' core handlers:
 * <pre>{@code <handler class="org.switchboard.server.pop3.TlsRequiredForLoginCmdHandler"/>}</pre>
 */
public class TlsRequiredForLoginCmdHandler implements CommandHandler<POP3Session> {
    private static final Response STLS_REQUIRED =
        new POP3Response(POP3Response.ERR_RESPONSE, "[AUTH] Use STLS before sending credentials").immutable();

    @Override
    public Response onCommand(POP3Session session, Request request) {
        if (session.isStartTLSSupported() && !session.isTLSStarted()) {
            return STLS_REQUIRED;
        }
        // James' own handler for the command answers
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("USER", "PASS", "APOP", "AUTH");
    }
}
