package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.LoggerFactory;

/**
 * A connection control on the client's address and a {@code <networks>} list: the site list lets only listed
 * clients in, the deny list keeps listed clients out. A refused client gets {@code 554 5.7.1} in place of the
 * greeting, the connection is closed, and one INFO line names the control, the client and the reason.
 */
abstract class NetworkListHandler implements ConnectHandler<SMTPSession> {
    static final String NETWORKS = "networks";

    private NetworkList networks;

    /** Whether a client in the list is refused (a deny list) or the only kind let in (an allow list). */
    abstract boolean refusesListed();

    /** Why the client is refused, for the log line. */
    abstract String reason();

    /** The reply's text after {@code 554 5.7.1 Connection refused: <ip> }. */
    abstract String replyText();

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(getClass(), config, Set.of(NETWORKS));
        networks = ClientAddresses.networks(parameters, NETWORKS);
    }

    @Override
    public Response onConnect(SMTPSession session) {
        InetAddress client = session.getRemoteAddress().getAddress();
        if (ClientAddresses.alreadyRefused(session) || networks.contains(client) != refusesListed()) {
            return ClientAddresses.PASS;
        }
        LoggerFactory.getLogger(getClass()).info("{}: refused connection from {}: {}", getClass().getSimpleName(),
            ClientAddresses.text(client), reason());
        return ClientAddresses.refuseConnection(session, "554", "5.7.1 Connection refused: " + ClientAddresses.text(client)
            + " " + replyText());
    }
}
