package org.switchboard.server.smtpd;

/**
 * The deny list of client addresses: a client whose address is in {@code <networks>} (addresses and CIDR ranges,
 * IPv4 and IPv6) gets {@code 554 5.7.1} instead of the greeting and the connection is closed.
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.DeniedNetworksHandler">
 *     <networks>198.51.100.23, 203.0.113.0/24, 2001:db8:bad::/48</networks>
 * </handler>
 * }</pre>
 */
public class DeniedNetworksHandler extends NetworkListHandler {
    @Override
    boolean refusesListed() {
        return true;
    }

    @Override
    String reason() {
        return "address on the deny list";
    }

    @Override
    String replyText() {
        return "is on this site's deny list";
    }
}
