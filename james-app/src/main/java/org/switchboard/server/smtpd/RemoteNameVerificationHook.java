package org.switchboard.server.smtpd;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Remote name verification (forward-confirmed reverse DNS of the HELO/EHLO name): the name the client gives must
 * resolve (A records through James' DNS service, AAAA records for an IPv6 client) to the client's address, and the PTR record of the client's
 * address must name it. Otherwise {@code 550 5.7.25} (RFC 7372: reverse DNS validation failed), at HELO/EHLO or at
 * MAIL FROM ({@code <rejectAt>}, default {@code mail}, so that a client may still authenticate first).
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.RemoteNameVerificationHook">
 *     <rejectAt>mail</rejectAt>                  <!-- or helo -->
 *     <exemptAuthenticated>true</exemptAuthenticated>  <!-- only at mail: AUTH comes after EHLO -->
 *     <exemptLoopback>true</exemptLoopback>      <!-- 127.0.0.0/8 and ::1: local programs -->
 * </handler>
 * }</pre>
 */
public class RemoteNameVerificationHook implements HeloHook, MailHook {
    enum Stage { HELO, MAIL }

    static final String REJECT_AT = "rejectAt";
    static final String EXEMPT_AUTHENTICATED = "exemptAuthenticated";
    static final String EXEMPT_LOOPBACK = "exemptLoopback";
    private static final Logger LOGGER = LoggerFactory.getLogger(RemoteNameVerificationHook.class);
    /** Why the HELO name failed, kept from HELO until MAIL FROM; absent when it passed. */
    private static final ProtocolSession.AttachmentKey<String> FAILURE =
        ProtocolSession.AttachmentKey.of("switchboard.remoteNameVerification.failure", String.class);

    /** The IPv6 addresses of a name; {@link UnknownHostException} when it has none. */
    @FunctionalInterface
    interface AaaaLookup {
        Collection<InetAddress> addresses(String name) throws UnknownHostException;
    }

    private final DNSService dns;
    private final AaaaLookup aaaa;
    private Stage rejectAt;
    private boolean exemptAuthenticated;
    private boolean exemptLoopback;

    @Inject
    public RemoteNameVerificationHook(DNSService dns) {
        this(dns, RemoteNameVerificationHook::dnsjavaAaaa);
    }

    RemoteNameVerificationHook(DNSService dns, AaaaLookup aaaa) {
        this.dns = dns;
        this.aaaa = aaaa;
    }

    /**
     * James' DNS service looks up A records only. dnsjava's default resolver and cache are the ones James'
     * {@code DNSJavaService} registers ({@code setAsDNSJavaDefault}, true by default), so this asks the same servers.
     */
    private static Collection<InetAddress> dnsjavaAaaa(String name) throws UnknownHostException {
        Record[] records;
        try {
            records = new Lookup(name, Type.AAAA).run();
        } catch (TextParseException e) {
            throw new UnknownHostException(name);
        }
        if (records == null) {
            throw new UnknownHostException(name);
        }
        return Arrays.stream(records).map(record -> ((AAAARecord) record).getAddress()).collect(Collectors.toList());
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(getClass(), config,
            Set.of(REJECT_AT, EXEMPT_AUTHENTICATED, EXEMPT_LOOPBACK));
        rejectAt = parameters.choice(REJECT_AT, Stage.class, Stage.MAIL);
        exemptLoopback = parameters.flag(EXEMPT_LOOPBACK, true);
        if (rejectAt == Stage.HELO) {
            if (parameters.flag(EXEMPT_AUTHENTICATED, false)) {
                throw new ConfigurationException(parameters.owner() + ": parameter " + EXEMPT_AUTHENTICATED
                    + " cannot be true with " + REJECT_AT + " helo: clients authenticate after EHLO; use " + REJECT_AT
                    + " mail");
            }
            exemptAuthenticated = false;
        } else {
            exemptAuthenticated = parameters.flag(EXEMPT_AUTHENTICATED, true);
        }
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        InetAddress client = session.getRemoteAddress().getAddress();
        session.removeAttachment(FAILURE, ProtocolSession.State.Connection);
        if (exemptLoopback && client.isLoopbackAddress()) {
            return HookResult.DECLINED;
        }
        Optional<String> failure = verify(helo, client);
        if (failure.isEmpty()) {
            return HookResult.DECLINED;
        }
        if (rejectAt == Stage.HELO) {
            return refuse(session, failure.get(), "HELO");
        }
        session.setAttachment(FAILURE, failure.get(), ProtocolSession.State.Connection);
        return HookResult.DECLINED;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        Optional<String> failure = session.getAttachment(FAILURE, ProtocolSession.State.Connection);
        if (rejectAt != Stage.MAIL || failure.isEmpty()) {
            return HookResult.DECLINED;
        }
        if (exemptAuthenticated && session.getUsername() != null) {
            return HookResult.DECLINED;
        }
        return refuse(session, failure.get(), "MAIL");
    }

    /** Why {@code helo} does not name {@code client} both ways, or empty when it does. */
    Optional<String> verify(String helo, InetAddress client) {
        String name = ClientAddresses.normalizeName(helo);
        String address = ClientAddresses.text(client);
        if (name.startsWith("[") || name.isEmpty()) {
            return Optional.of("HELO name " + helo + " is an address literal, not a host name");
        }
        Collection<InetAddress> addresses;
        try {
            addresses = client instanceof Inet6Address ? aaaa.addresses(name) : dns.getAllByName(name);
        } catch (UnknownHostException e) {
            return Optional.of("HELO name " + name + " does not resolve");
        }
        if (!addresses.contains(client)) {
            return Optional.of("HELO name " + name + " does not resolve to " + address);
        }
        String reverseName = ClientAddresses.normalizeName(dns.getHostName(client));
        // James' DNS service answers the address itself when there is no PTR record
        if (reverseName.equals(client.getHostAddress())) {
            return Optional.of(address + " has no PTR record");
        }
        if (!reverseName.equals(name)) {
            return Optional.of("PTR record of " + address + " names " + reverseName + ", not " + name);
        }
        return Optional.empty();
    }

    private HookResult refuse(SMTPSession session, String reason, String command) {
        LOGGER.info("RemoteNameVerificationHook: refused {} from {}: {}", command,
            ClientAddresses.text(session.getRemoteAddress().getAddress()), reason);
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode("550")
            .smtpDescription("5.7.25 Remote name verification failed: " + reason)
            .build();
    }
}
