package org.switchboard.mailets.messageswitch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * The Message Switch (spec, Message Transfer Agent): routes each recipient from the directory.
 *
 * <p>For each recipient the directory knows (its {@code mail}, or one of its aliases): the recipient is replaced by
 * one recipient per {@code othermailbox: CHANNEL$address} route, or by the entry's own {@code mail} when it has
 * none; each resulting recipient's route is recorded in the {@link RouteAttribute} mail attribute, which matchers
 * such as {@code RouteIs} read to send each recipient to its channel. Duplicate recipients collapse into one.
 * Recipients unknown to the directory, and recipients routed by an earlier pass, are left as they are. See
 * {@link RecipientRouter} for the rules.
 *
 * <p>A recipient whose entry holds an unusable {@code othermailbox} value (no output channel of the pipeline, an
 * address unfit for its channel, LOCAL to a domain this server does not serve) is sent, in a copy of the mail with an
 * error message saying why, to the processor named by {@code errorProcessor} (default {@code error}); the other
 * recipients go on.
 *
 * <p>When the directory cannot answer, the mail goes, unchanged, to the processor named by {@code unavailableProcessor}
 * (default: {@code errorProcessor}), with one WARN line: an outage is an expected condition, not a bug, so it is no exception
 * (James would log one with its stack trace at every attempt). The shipped pipeline names a processor that re-queues
 * the mail for a later attempt.
 *
 * <p>James builds this mailet through Guice ({@code GuiceMailetLoader}: {@code injector.getInstance}), which
 * injects the server's {@link DirectoryRouting}.
 */
public class MessageSwitch extends GenericMailet {
    public static final String ERROR_PROCESSOR_PARAMETER = "errorProcessor";
    public static final String DEFAULT_ERROR_PROCESSOR = Mail.ERROR;
    public static final String PERMISSION_PROCESSOR_PARAMETER = "permissionProcessor";
    public static final String DOMAIN_FORWARDING_PARAMETER = "domainForwarding";
    public static final String UNAVAILABLE_PROCESSOR_PARAMETER = "unavailableProcessor";
    static final Set<String> PARAMETERS = Set.of(ERROR_PROCESSOR_PARAMETER, PERMISSION_PROCESSOR_PARAMETER,
        DOMAIN_FORWARDING_PARAMETER, UNAVAILABLE_PROCESSOR_PARAMETER);
    /**
     * James 3.8.1's JPA mail repository stores a mail's error message in a 200-character column and fails to store
     * a longer one: the error message stays within it (the log has the whole story).
     */
    static final int MAX_ERROR_MESSAGE_LENGTH = 200;

    private static final Logger LOGGER = LoggerFactory.getLogger(MessageSwitch.class);

    private final DirectoryRouting directory;
    private final ConfigFiles configFiles;
    private Optional<DomainForwardingTable> forwarding;
    private ProcessingState errorProcessor;
    private ProcessingState permissionProcessor;
    private ProcessingState unavailableProcessor;

    @Inject
    public MessageSwitch(DirectoryRouting directory) {
        this(directory, ConfigFiles.ofServer());
    }

    /** {@code configFiles}: where the domain forwarding table's name is resolved. */
    MessageSwitch(DirectoryRouting directory, ConfigFiles configFiles) {
        this.directory = directory;
        this.configFiles = configFiles;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, PARAMETERS);
        errorProcessor = new ProcessingState(parameters.value(ERROR_PROCESSOR_PARAMETER, DEFAULT_ERROR_PROCESSOR));
        permissionProcessor = new ProcessingState(parameters.value(PERMISSION_PROCESSOR_PARAMETER,
            errorProcessor.getValue()));
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            errorProcessor.getValue()));
        forwarding = parameters.optional(DOMAIN_FORWARDING_PARAMETER,
            name -> DomainForwardingTable.load(configFiles.resolve(name)));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.copyOf(new LinkedHashSet<>(List.of(errorProcessor, permissionProcessor, unavailableProcessor)));
    }

    @Override
    public String getMailetInfo() {
        return "Message Switch: routes recipients from the directory (aliases, othermailbox)";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<MailAddress, Route> recorded = RouteAttribute.read(mail);
        List<MailAddress> unrouted = mail.getRecipients().stream()
            .filter(recipient -> !recorded.containsKey(recipient))
            .toList();
        List<RoutingDecision> decisions = new ArrayList<>();
        try {
            // a second pass asks the directory nothing
            Map<MailAddress, RoutingDecision> routed = unrouted.isEmpty()
                ? Map.of()
                : new RecipientRouter(directory, servedHereOncePerDomain(), forwarding)
                    .routeAll(unrouted, mail.getMaybeSender().asOptional());
            for (MailAddress recipient : mail.getRecipients()) {
                decisions.add(routed.getOrDefault(recipient, new RoutingDecision.Unchanged(recipient)));
            }
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Message Switch, mail {}: the directory is unavailable ({}); the mail goes unchanged to processor {}",
                mail.getName(), e.getMessage(), unavailableProcessor.getValue());
            mail.setState(unavailableProcessor.getValue());
            return;
        }
        apply(mail, decisions, recorded);
    }

    /**
     * James' domain list, asked once per domain for one mail: a list post has thousands of recipients in a hundred
     * domains, and the domain list's own cache reads the database for each domain it has not seen for a while.
     */
    private Predicate<Domain> servedHereOncePerDomain() {
        Map<Domain, Boolean> served = new HashMap<>();
        return domain -> served.computeIfAbsent(domain, getMailetContext()::isLocalServer);
    }

    /** Every lookup is done: now change the mail, so a directory failure above leaves it untouched. */
    private void apply(Mail mail, List<RoutingDecision> decisions, Map<MailAddress, Route> recorded)
        throws MessagingException {
        Set<MailAddress> recipients = new LinkedHashSet<>();
        Map<MailAddress, Route> routes = new LinkedHashMap<>(recorded);
        Map<MailAddress, String> refused = new LinkedHashMap<>();
        Map<MailAddress, String> denied = new LinkedHashMap<>();
        boolean changed = false;

        for (RoutingDecision decision : decisions) {
            if (decision instanceof RoutingDecision.Unchanged unchanged) {
                recipients.add(unchanged.recipient());
            } else if (decision instanceof RoutingDecision.Rewritten rewritten) {
                changed = true;
                for (RoutingDecision.Target target : rewritten.targets()) {
                    recipients.add(target.address());
                    target.route().ifPresent(route -> record(mail, routes, target.address(), route));
                }
                LOGGER.debug("Message Switch, mail {}: {} -> {} (directory entry {})", mail.getName(),
                    rewritten.recipient().asString(), rewritten.targets(), rewritten.entry().dn());
            } else if (decision instanceof RoutingDecision.Forwarded forwarded) {
                changed = true;
                recipients.add(forwarded.recipient());
                record(mail, routes, forwarded.recipient(), forwarded.route());
                LOGGER.debug("Message Switch, mail {}: {} -> {} (domain forwarding table)", mail.getName(),
                    forwarded.recipient().asString(), forwarded.route());
            } else if (decision instanceof RoutingDecision.Denied denial) {
                changed = true;
                denied.put(denial.recipient(), denial.reason());
                LOGGER.info("Message Switch, mail {}: {} -> processor {}: {}", mail.getName(),
                    denial.recipient().asString(), permissionProcessor.getValue(), denial.reason());
            } else if (decision instanceof RoutingDecision.Refused refusal) {
                changed = true;
                refused.put(refusal.recipient(), refusal.reason());
                LOGGER.info("Message Switch, mail {}: {} -> processor {}: {}", mail.getName(),
                    refusal.recipient().asString(), errorProcessor.getValue(), refusal.reason());
            }
        }
        if (!changed) {
            return;
        }
        if (!refused.isEmpty()) {
            sendTo(mail, refused, errorProcessor, "Message Switch cannot route ");
        }
        if (!denied.isEmpty()) {
            sendTo(mail, denied, permissionProcessor, "Message Switch refuses ");
        }
        routes.keySet().retainAll(recipients);
        carryDsnParameters(mail, decisions, recipients);
        mail.setRecipients(List.copyOf(recipients));
        RouteAttribute.write(mail, routes);
        if (recipients.isEmpty()) {
            mail.setState(Mail.GHOST);
        }
    }

    /** One route per recipient address: a conflicting second route (same address, other channel) is dropped. */
    private static void record(Mail mail, Map<MailAddress, Route> routes, MailAddress address, Route route) {
        Route existing = routes.putIfAbsent(address, route);
        if (existing != null && !existing.equals(route)) {
            LOGGER.warn("Message Switch, mail {}: {} is routed {} and {}; one route per address, {} kept",
                mail.getName(), address.asString(), existing, route, existing);
        }
    }

    private void sendTo(Mail mail, Map<MailAddress, String> refused, ProcessingState processor, String prefix)
        throws MessagingException {
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(List.copyOf(refused.keySet()));
            copy.setErrorMessage(errorMessage(prefix, refused));
            getMailetContext().sendMail(copy, processor.getValue());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    static String errorMessage(String prefix, Map<MailAddress, String> refused) {
        String message = refused.entrySet().stream()
            .map(entry -> entry.getKey().asString() + ": " + entry.getValue())
            .collect(Collectors.joining("; ", prefix, ""));
        return message.length() <= MAX_ERROR_MESSAGE_LENGTH
            ? message
            : message.substring(0, MAX_ERROR_MESSAGE_LENGTH - 3) + "...";
    }

    /** RCPT parameters (NOTIFY, ORCPT) follow a rewritten recipient to its new addresses, as in James' RRT. */
    private static void carryDsnParameters(Mail mail, List<RoutingDecision> decisions, Set<MailAddress> recipients) {
        Optional<DsnParameters> dsn = mail.dsnParameters();
        if (dsn.isEmpty() || dsn.get().getRcptParameters().isEmpty()) {
            return;
        }
        Map<MailAddress, DsnParameters.RecipientDsnParameters> original = dsn.get().getRcptParameters();
        Map<MailAddress, DsnParameters.RecipientDsnParameters> updated = new HashMap<>();
        for (RoutingDecision decision : decisions) {
            Optional.ofNullable(original.get(decision.recipient())).ifPresent(parameters -> {
                if (decision instanceof RoutingDecision.Rewritten rewritten) {
                    rewritten.targets().forEach(target -> updated.putIfAbsent(target.address(), parameters));
                } else {
                    updated.putIfAbsent(decision.recipient(), parameters);
                }
            });
        }
        updated.keySet().retainAll(recipients);
        mail.setDsnParameters(dsn.get().withRcptParameters(updated));
    }
}
