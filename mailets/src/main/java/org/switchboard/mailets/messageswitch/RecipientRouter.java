package org.switchboard.mailets.messageswitch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import javax.mail.internet.AddressException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.directory.routing.OtherMailbox;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;

/**
 * Decides the route of one recipient from the directory (the spec's Message Switch lookup):
 * <ul>
 * <li>unknown to the directory: {@link RoutingDecision.Forwarded} when the domain forwarding table names its
 *     domain (and this server does not serve it), else {@link RoutingDecision.Unchanged};</li>
 * <li>an entry, or an alias of one, with {@code othermailbox} values: one target per value, which must name an
 *     output channel ({@link Channel}); the value's address for the channels with Internet addresses (LOCAL, SMTPC,
 *     BSMTPOUT: it must be an RFC 5321 address, and for LOCAL in a domain this server serves), for the others
 *     (DL, CCIN, NOTESIN) the value's address when it is a mail address, else the entry's own address;</li>
 * <li>a list entry ({@code ielist}) without {@code othermailbox}: its own {@code mail}, routed DL;</li>
 * <li>an entry without {@code othermailbox}: its own {@code mail} (so an alias reaches its owner), routed LOCAL
 *     when this server serves its domain, else left to James' default logic;</li>
 * <li>an entry with an unusable {@code othermailbox} value (no output channel, an address unfit for it, a value
 *     that does not parse): {@link RoutingDecision.Refused}, the whole recipient, so that a broken entry is fixed
 *     and the mail replayed rather than half delivered.</li>
 * </ul>
 * {@link #routeAll} then enforces {@code x-permission} ({@link RoutingDecision.Denied}).
 * Disabled entries route as any other: what {@code ieAccountDisabled} blocks is the login.
 */
final class RecipientRouter {
    /** How {@link DirectoryEntry#invalidValues()} names an othermailbox value that does not parse. */
    private static final String OTHER_MAILBOX_PREFIX = "otherMailbox:";

    /** RFC 5321 4.5.3.1: 64 octets of local part; 254 octets for the whole address (a 256-octet path less {@code <>}). */
    private static final int MAX_LOCAL_PART_OCTETS = 64;
    private static final int MAX_ADDRESS_OCTETS = 254;

    private static final Logger LOGGER = LoggerFactory.getLogger(RecipientRouter.class);

    private final DirectoryRouting directory;
    private final Predicate<Domain> servedHere;
    private final Optional<DomainForwardingTable> forwarding;

    /**
     * @param directory  where entries, aliases and routes come from
     * @param servedHere whether this server delivers a domain locally (James' domain list)
     * @param forwarding the domain forwarding table, if one is configured
     */
    RecipientRouter(DirectoryRouting directory, Predicate<Domain> servedHere, Optional<DomainForwardingTable> forwarding) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.servedHere = Objects.requireNonNull(servedHere, "servedHere");
        this.forwarding = Objects.requireNonNull(forwarding, "forwarding");
    }

    /**
     * The decision for each recipient, x-permission enforced: the sender (when the directory knows it) needs Send,
     * and the recipient's entry Receive, on the channel of each route; a channel without x-permission value allows
     * both. The recipients are looked up together ({@link DirectoryRouting#lookupAll}).
     */
    Map<MailAddress, RoutingDecision> routeAll(Collection<MailAddress> recipients, Optional<MailAddress> sender)
        throws DirectoryUnavailableException {
        Optional<DirectoryEntry> senderEntry = sender.isPresent() ? directory.lookup(sender.get()) : Optional.empty();
        Map<MailAddress, Optional<DirectoryEntry>> found = directory.lookupAll(recipients);
        Map<MailAddress, RoutingDecision> decisions = new HashMap<>();
        for (MailAddress recipient : recipients) {
            decisions.computeIfAbsent(recipient, r -> route(r, found.get(r), senderEntry));
        }
        return decisions;
    }

    private RoutingDecision route(MailAddress recipient, Optional<DirectoryEntry> found,
                                  Optional<DirectoryEntry> sender) {
        RoutingDecision decision = route(recipient, found);
        if (decision instanceof RoutingDecision.Rewritten rewritten) {
            for (RoutingDecision.Target target : rewritten.targets()) {
                Channel channel = target.route().map(Route::channel)
                    .orElseGet(() -> Channel.defaultOutput(target.address(), servedHere));
                if (!rewritten.entry().permission(channel.name()).mayReceive()) {
                    return new RoutingDecision.Denied(recipient, recipient.asString()
                        + " may not receive mail through " + channel + " (x-permission)");
                }
                Optional<RoutingDecision> senderDenied = senderDenied(recipient, sender, channel);
                if (senderDenied.isPresent()) {
                    return senderDenied.get();
                }
            }
        } else if (decision instanceof RoutingDecision.Forwarded forwarded) {
            return senderDenied(recipient, sender, forwarded.route().channel()).orElse(decision);
        } else if (decision instanceof RoutingDecision.Unchanged) {
            return senderDenied(recipient, sender, Channel.defaultOutput(recipient, servedHere)).orElse(decision);
        }
        return decision;
    }

    private static Optional<RoutingDecision> senderDenied(MailAddress recipient, Optional<DirectoryEntry> sender,
                                                          Channel channel) {
        if (sender.isPresent() && !sender.get().permission(channel.name()).maySend()) {
            return Optional.of(new RoutingDecision.Denied(recipient, sender.get().mail().asString()
                + " may not send mail through " + channel + " (x-permission)"));
        }
        return Optional.empty();
    }

    private RoutingDecision route(MailAddress recipient, Optional<DirectoryEntry> found) {
        if (found.isEmpty()) {
            Optional<Route> forwarded = servedHere.test(recipient.getDomain())
                ? Optional.empty()
                : forwarding.flatMap(table -> table.routeFor(recipient.getDomain()));
            return forwarded.<RoutingDecision>map(route -> new RoutingDecision.Forwarded(recipient, route))
                .orElseGet(() -> new RoutingDecision.Unchanged(recipient));
        }
        DirectoryEntry entry = found.get();
        if (!entry.invalidValues().isEmpty()) {
            LOGGER.warn("Directory entry {} holds values that do not parse, ignored for routing: {}", entry.dn(),
                entry.invalidValues());
        }
        // a route the directory holds but that does not parse is a broken route, not an absent one: delivering to
        // the entry's own mailbox instead would hide the administrator's mistake and misroute the mail
        List<String> problems = new ArrayList<>(entry.invalidValues().stream()
            .filter(value -> value.regionMatches(true, 0, OTHER_MAILBOX_PREFIX, 0, OTHER_MAILBOX_PREFIX.length()))
            .map(value -> "'" + value.substring(OTHER_MAILBOX_PREFIX.length()).trim() + "' does not parse")
            .toList());
        if (entry.routes().isEmpty() && problems.isEmpty()) {
            return defaultRoute(recipient, entry);
        }
        List<RoutingDecision.Target> targets = new ArrayList<>();
        for (OtherMailbox value : entry.routes()) {
            try {
                targets.add(target(entry, value));
            } catch (UnusableRouteException e) {
                LOGGER.warn("Directory entry {} (found for {}): othermailbox value '{}' is unusable: {}{}", entry.dn(),
                    recipient.asString(), value, e.getMessage(), e.detail().map(detail -> " (" + detail + ")").orElse(""));
                problems.add(value + " " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            return new RoutingDecision.Refused(recipient, "unusable othermailbox " + String.join(", ", problems));
        }
        return new RoutingDecision.Rewritten(recipient, entry, targets);
    }

    private RoutingDecision defaultRoute(MailAddress recipient, DirectoryEntry entry) {
        MailAddress mail = entry.mail();
        if (mail == null) {
            LOGGER.warn("Directory entry {} (found for {}) has neither mail nor othermailbox: recipient left as is",
                entry.dn(), recipient.asString());
            return new RoutingDecision.Unchanged(recipient);
        }
        // a list entry goes to the distribution list manager; a person to their mailbox here, or James' default
        Optional<Route> route = entry.hasObjectClass("ielist")
            ? Optional.of(new Route(Channel.DL, mail.asString()))
            : servedHere.test(mail.getDomain())
                ? Optional.of(new Route(Channel.LOCAL, mail.asString()))
                : Optional.empty();
        return new RoutingDecision.Rewritten(recipient, entry, List.of(new RoutingDecision.Target(mail, route)));
    }

    private RoutingDecision.Target target(DirectoryEntry entry, OtherMailbox value) throws UnusableRouteException {
        Channel channel;
        try {
            channel = Channel.output(value.channel());
        } catch (IllegalArgumentException e) {
            throw new UnusableRouteException("names no output channel of this server", e.getMessage());
        }
        if (channel.hasInternetAddresses()) {
            MailAddress address = rfc5321Address(value.address());
            if (channel == Channel.LOCAL && !servedHere.test(address.getDomain())) {
                throw new UnusableRouteException("is in domain " + address.getDomain().asString()
                    + ", not served here");
            }
            return new RoutingDecision.Target(address, Optional.of(new Route(channel, value.address())));
        }
        // Channels delivered by later components (DL, gateways) may use addresses of their own: the route keeps
        // that address, the recipient is the entry's when the route's is not a mail address.
        MailAddress address = mailAddress(value.address()).or(() -> Optional.ofNullable(entry.mail()))
            .orElseThrow(() -> new UnusableRouteException("has no mail address (nor has its entry)"));
        return new RoutingDecision.Target(address, Optional.of(new Route(channel, value.address())));
    }

    /** The address as an SMTP forward-path mailbox: RFC 5321 syntax (ASCII, no display name) and length limits. */
    static MailAddress rfc5321Address(String address) throws UnusableRouteException {
        MailAddress parsed;
        try {
            parsed = new MailAddress(address);
        } catch (AddressException e) {
            throw new UnusableRouteException("is not an RFC 5321 address", e.getMessage());
        }
        if (parsed.asString().getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS_OCTETS) {
            throw new UnusableRouteException("is longer than " + MAX_ADDRESS_OCTETS + " octets (RFC 5321)");
        }
        if (parsed.getLocalPart().getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART_OCTETS) {
            throw new UnusableRouteException("has a local part longer than " + MAX_LOCAL_PART_OCTETS
                + " octets (RFC 5321)");
        }
        return parsed;
    }

    private static Optional<MailAddress> mailAddress(String address) {
        try {
            return Optional.of(rfc5321Address(address));
        } catch (UnusableRouteException e) {
            return Optional.empty();
        }
    }

    /**
     * A route the Message Switch cannot deliver through. The message, short, completes "the route ..." and goes into
     * the mail's error message; the detail (e.g. the parser's) only into the log.
     */
    static final class UnusableRouteException extends Exception {
        private final String detail;

        UnusableRouteException(String message) {
            this(message, null);
        }

        UnusableRouteException(String message, String detail) {
            super(message);
            this.detail = detail;
        }

        Optional<String> detail() {
            return Optional.ofNullable(detail);
        }
    }
}
