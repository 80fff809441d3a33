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
 * The site network list: only clients whose address is in {@code <networks>} may connect; any other gets
 * {@code 554 5.7.1} instead of the greeting and the connection is closed. Listed before James' core handlers, so it
 * answers before the 220 greeting:
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.SiteNetworksHandler">
 *     <networks>192.0.2.0/24, 2001:db8::/32, 127.0.0.1</networks>
 * </handler>
 * }</pre>
 */
public class SiteNetworksHandler implements ConnectHandler<SMTPSession> {
    static final String NETWORKS = "networks";
    private static final Logger LOGGER = LoggerFactory.getLogger(SiteNetworksHandler.class);

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
        if (networks.contains(client)) {
            return ClientAddresses.PASS;
        }
        LOGGER.info("SiteNetworksHandler: refused connection from {}: not in the site networks", ClientAddresses.text(client));
        return ClientAddresses.refuseConnection(session, "554", "5.7.1 Connection refused: " + ClientAddresses.text(client)
            + " is not in this site's networks");
    }
}
