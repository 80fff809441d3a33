package org.switchboard.server.smtpd;

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
public class SiteNetworksHandler extends NetworkListHandler {
    @Override
    boolean refusesListed() {
        return false;
    }

    @Override
    String reason() {
        return "not in the site networks";
    }

    @Override
    String replyText() {
        return "is not in this site's networks";
    }
}
