package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny list of client addresses: a client whose address is in {@code <networks>} (addresses and CIDR ranges,
 * IPv4 and IPv6) gets {@code 554 5.7.1} instead of the greeting and the connection is closed.
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.DeniedNetworksHandler">
 *     <networks>198.51.100.23, 203.0.113.0/24, 2001:db8:bad::/48</networks>
 * </handler>
 * }</pre>
 */
public class DeniedNetworksHandler implements ConnectHandler<SMTPSession> {
    static final String NETWORKS = "networks";
    private static final Logger LOGGER = LoggerFactory.getLogger(DeniedNetworksHandler.class);

    private NetworkList networks;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(getClass(), config, Set.of(NETWORKS));
        networks = ClientAddresses.networks(parameters, NETWORKS);
    }

    @Override
    public Response onConnect(SMTPSession session) {
        if (ClientAddresses.alreadyRefused(session)) {
            return ClientAddresses.PASS;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        if (!networks.contains(client)) {
            return ClientAddresses.PASS;
        }
        LOGGER.info("DeniedNetworksHandler: refused connection from {}: address on the deny list", ClientAddresses.text(client));
        return ClientAddresses.refuseConnection(session, "554", "5.7.1 Connection refused: " + ClientAddresses.text(client)
            + " is on this site's deny list");
    }
}
