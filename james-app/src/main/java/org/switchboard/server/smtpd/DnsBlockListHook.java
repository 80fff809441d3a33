package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MaybeSender;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS block lists (RFC 5782): at {@code MAIL FROM}, the client's address is looked up in each {@code <zone>} in turn
 * (reversed octets, or nibbles for IPv6, under the zone); the first zone that lists it refuses the mail with that
 * zone's reply, followed by the zone's TXT record text when it has one. Authenticated clients and clients allowed to
 * relay ({@code <authorizedAddresses>}) are not checked. An answer outside 127.0.0.0/8, or in 127.255.255.0/24 (the
 * lists' own error codes, e.g. for queries through public resolvers), is not a listing.
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.DnsBlockListHook">
 *     <zone>
 *         <name>zen.spamhaus.org</name>
 *         <code>554</code>                                         <!-- default 554 -->
 *         <reply>5.7.1 Rejected: {ip} listed by {zone}</reply>     <!-- the default -->
 *     </zone>
 *     <zone><name>bl.example.net</name></zone>
 * </handler>
 * }</pre>
 * James' {@code DNSRBLHandler} gives every list the same reply and does not name the list, hence this hook.
 */
public class DnsBlockListHook implements MailHook {
    static final String ZONE = "zone";
    static final String DEFAULT_CODE = "554";
    static final String DEFAULT_REPLY = "5.7.1 Rejected: {ip} listed by {zone}";
    private static final Logger LOGGER = LoggerFactory.getLogger(DnsBlockListHook.class);
    /** The refusal found for this connection (one lookup per connection), or the empty string when not listed. */
    private static final ProtocolSession.AttachmentKey<String> VERDICT =
        ProtocolSession.AttachmentKey.of("switchboard.dnsBlockList.verdict", String.class);

    record Zone(String name, String code, String reply) {
        String replyFor(InetAddress client) {
            return reply.replace("{ip}", ClientAddresses.text(client)).replace("{zone}", name);
        }
    }

    private final DNSService dns;
    private List<Zone> zones;

    @Inject
    public DnsBlockListHook(DNSService dns) {
        this.dns = dns;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(getClass(), config, Set.of(ZONE));
        String owner = parameters.owner();
        @SuppressWarnings("unchecked")
        List<HierarchicalConfiguration<ImmutableNode>> zoneElements =
            ((HierarchicalConfiguration<ImmutableNode>) config).configurationsAt(ZONE);
        if (zoneElements.isEmpty()) {
            throw new ConfigurationException(owner + ": parameter zone is missing; list at least one block list, e.g. "
                + "<zone><name>bl.example.net</name></zone>");
        }
        List<Zone> parsed = new ArrayList<>();
        for (HierarchicalConfiguration<ImmutableNode> element : zoneElements) {
            parsed.add(zone(owner, element));
        }
        zones = List.copyOf(parsed);
    }

    private static Zone zone(String owner, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
        Set<String> known = Set.of("name", "code", "reply");
        List<String> keys = new ArrayList<>();
        element.getKeys().forEachRemaining(keys::add);
        for (String key : keys) {
            if (!known.contains(key)) {
                throw new ConfigurationException(owner + ": unknown element zone." + key + "; a zone has name, code, reply");
            }
        }
        String name = element.getString("name", "").trim();
        if (!ClientAddresses.normalizeName(name).matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)+")) {
            throw new ConfigurationException(owner + ": parameter zone.name '" + name + "' is not a DNS zone name, "
                + "e.g. <zone><name>bl.example.net</name></zone>");
        }
        String code = element.getString("code", DEFAULT_CODE).trim();
        if (!code.matches("[45][0-9][0-9]")) {
            throw new ConfigurationException(owner + ": parameter zone.code '" + code + "' of zone " + name
                + ": expected an SMTP reply code 4xx or 5xx, e.g. 554");
        }
        String reply = element.getString("reply", DEFAULT_REPLY).trim();
        if (!reply.matches(code.charAt(0) + "\\.[0-9]{1,3}\\.[0-9]{1,3} .+")) {
            throw new ConfigurationException(owner + ": parameter zone.reply '" + reply + "' of zone " + name
                + ": must start with an enhanced status code of class " + code.charAt(0) + ", e.g. "
                + code.charAt(0) + ".7.1 Rejected: {ip} listed by {zone}");
        }
        return new Zone(ClientAddresses.normalizeName(name), code, reply);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() != null || session.isRelayingAllowed()) {
            return HookResult.DECLINED;
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        Optional<String> known = session.getAttachment(VERDICT, ProtocolSession.State.Connection);
        String verdict = known.orElseGet(() -> check(client));
        session.setAttachment(VERDICT, verdict, ProtocolSession.State.Connection);
        if (verdict.isEmpty()) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode(verdict.substring(0, 3))
            .smtpDescription(verdict.substring(4))
            .build();
    }

    /** The reply ("554 5.7.1 ...") of the first zone listing {@code client}, or the empty string. */
    String check(InetAddress client) {
        String reversed = ClientAddresses.reversed(client);
        for (Zone zone : zones) {
            String query = reversed + "." + zone.name();
            if (isListed(query)) {
                String txt = dns.findTXTRecords(query).stream().map(DnsBlockListHook::unquote)
                    .filter(text -> !text.isBlank()).findFirst().orElse(null);
                LOGGER.info("DnsBlockListHook: refused mail from {}: listed by {}{}", ClientAddresses.text(client),
                    zone.name(), txt == null ? "" : " (" + txt + ")");
                return zone.code() + " " + zone.replyFor(client) + (txt == null ? "" : " - " + txt);
            }
        }
        return "";
    }

    private boolean isListed(String query) {
        Collection<InetAddress> answers;
        try {
            answers = dns.getAllByName(query);
        } catch (UnknownHostException notListed) {
            return false;
        }
        return answers.stream().map(InetAddress::getAddress)
            .anyMatch(octets -> octets.length == 4 && octets[0] == 127
                && !(octets[1] == (byte) 255 && octets[2] == (byte) 255));
    }

    /** dnsjava gives TXT data in zone file form: quoted strings. */
    private static String unquote(String txt) {
        String text = txt.trim();
        StringBuilder result = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && i + 1 < text.length()) {
                result.append(text.charAt(++i));
            } else if (c < 0x20 || c > 0x7E) {
                // the text goes into our SMTP reply: no line breaks, no 8-bit octets
                result.append('?');
            } else if (quoted || c != ' ') {
                result.append(c);
            }
        }
        return result.toString();
    }
}
