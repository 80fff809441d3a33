package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deny list of client host names: the client's reverse name (the PTR record of its address, through James' DNS
 * service) is compared with {@code <hostnames>}, names or {@code *.domain} wildcards; a match gets {@code 554 5.7.1}
 * instead of the greeting and the connection is closed. A client without a PTR record is not refused here.
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.DeniedHostNamesHandler">
 *     <hostnames>*.dynamic.example.net, spammer.example.org</hostnames>
 * </handler>
 * }</pre>
 */
public class DeniedHostNamesHandler implements ConnectHandler<SMTPSession> {
    static final String HOSTNAMES = "hostnames";
    private static final Logger LOGGER = LoggerFactory.getLogger(DeniedHostNamesHandler.class);

    private final DNSService dns;
    private NamePatterns hostNames;

    @Inject
    public DeniedHostNamesHandler(DNSService dns) {
        this.dns = dns;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        hostNames = ClientAddresses.names(HandlerParameters.of(getClass(), config, Set.of(HOSTNAMES)), HOSTNAMES, "*.dynamic.example.net");
    }

    @Override
    public Response onConnect(SMTPSession session) {
        if (ClientAddresses.alreadyRefused(session)) {
            return ClientAddresses.PASS;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        // James' DNS service answers the address itself when there is no PTR record
        String reverseName = ClientAddresses.normalizeName(dns.getHostName(client));
        if (reverseName.equals(client.getHostAddress())) {
            return ClientAddresses.PASS;
        }
        String pattern = hostNames.match(reverseName);
        if (pattern == null) {
            return ClientAddresses.PASS;
        }
        LOGGER.info("DeniedHostNamesHandler: refused connection from {}: host name {} matches denied {}",
            ClientAddresses.text(client), reverseName, pattern);
        return ClientAddresses.refuseConnection(session, "554", "5.7.1 Connection refused: host name " + reverseName + " of "
            + ClientAddresses.text(client) + " is on this site's deny list");
    }
}
