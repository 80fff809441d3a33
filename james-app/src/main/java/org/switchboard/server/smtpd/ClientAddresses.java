package org.switchboard.server.smtpd;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;

import com.google.common.net.InetAddresses;

/** What the connection controls share: reading a network list parameter, closing refusals, DNS name forms. */
final class ClientAddresses {
    private ClientAddresses() {
    }

    static NetworkList networks(HandlerParameters parameters, String name) throws ConfigurationException {
        try {
            return NetworkList.parse(parameters.requiredList(name, "192.0.2.0/24, 2001:db8::/32"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(parameters.owner() + ": parameter " + name + ": " + e.getMessage());
        }
    }

    /** A list of names or {@code *.domain} patterns ({@link NamePatterns}), at least one. */
    static NamePatterns names(HandlerParameters parameters, String name, String example) throws ConfigurationException {
        try {
            return NamePatterns.parse(parameters.requiredList(name, example));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(parameters.owner() + ": parameter " + name + ": " + e.getMessage());
        }
    }

    /**
     * The answer of a connection control that lets the client in: a response without lines, which writes nothing.
     * Not {@code null}: James' JMX statistics of connect handlers ({@code ConnectHandlerStats}, on every server with a
     * {@code <jmxName>}) fail on a null answer and abort the connection.
     */
    static final Response PASS = new Response() {
        @Override
        public String getRetCode() {
            return "";
        }

        @Override
        public List<CharSequence> getLines() {
            return List.of();
        }

        @Override
        public boolean isEndSession() {
            return false;
        }
    };

    /** Set when a control refused the connection: the ones after it have nothing left to check. */
    private static final ProtocolSession.AttachmentKey<Boolean> REFUSED =
        ProtocolSession.AttachmentKey.of("switchboard.connection.refused", Boolean.class);

    static boolean alreadyRefused(SMTPSession session) {
        return session.getAttachment(REFUSED, ProtocolSession.State.Connection).isPresent();
    }

    /** A reply that ends the session: sent in place of the greeting, then the connection is closed. */
    static Response refuseConnection(SMTPSession session, String code, String text) {
        session.setAttachment(REFUSED, Boolean.TRUE, ProtocolSession.State.Connection);
        SMTPResponse response = new SMTPResponse(code, text);
        response.setEndSession(true);
        return response;
    }

    /** An address as replies and logs show it: IPv6 in its short form ({@code 2001:db8::1}). */
    static String text(InetAddress address) {
        return InetAddresses.toAddrString(address);
    }

    /** A DNS name without its root dot, in lower case: PTR targets come back as {@code host.example.}. */
    static String normalizeName(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /**
     * The name under which a DNS block list or the reverse zone lists an address: reversed octets for IPv4
     * ({@code 2.0.0.127}), reversed nibbles for IPv6 (RFC 5782).
     */
    static String reversed(InetAddress address) {
        byte[] octets = address.getAddress();
        StringBuilder name = new StringBuilder();
        if (address instanceof Inet4Address) {
            for (int i = octets.length - 1; i >= 0; i--) {
                name.append(octets[i] & 0xFF);
                if (i > 0) {
                    name.append('.');
                }
            }
            return name.toString();
        }
        for (int i = octets.length - 1; i >= 0; i--) {
            name.append(Character.forDigit(octets[i] & 0x0F, 16)).append('.')
                .append(Character.forDigit((octets[i] >> 4) & 0x0F, 16));
            if (i > 0) {
                name.append('.');
            }
        }
        return name.toString();
    }
}
