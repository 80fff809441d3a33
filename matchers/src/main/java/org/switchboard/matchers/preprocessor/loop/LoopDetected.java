package org.switchboard.matchers.preprocessor.loop;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec's Loop Detection: matches (all recipients) when more than {@code max} {@code Received:} header fields
 * name this server in their {@code by} clause: {@code LoopDetected=10}, or with other names of this server
 * {@code LoopDetected=10,mx.example.com,mail.example.com}. A condition left out means {@value #DEFAULT_MAX}.
 *
 * <p>This server's names: the hello name of each SMTP server of {@code smtpserver.xml} (what James 3.8.1 writes in
 * {@code by <helloName> (JAMES SMTP Server)}; with {@code <helloName autodetect="true"/>} it is the local host name),
 * the local host name itself, and the names of the condition (other MX names, a cluster's other nodes). The SMTP
 * reception of the message itself adds one such field, so {@code max} counts this pass too.
 *
 * <p>Unlike James' {@code RelayLimit}, which counts every Received field (hops through any server), this counts only
 * passes through this one, as the spec asks: a loop through us is caught after a few rounds, whatever the other
 * hops. A message whose header cannot be read is not matched (logged): it goes on as it is.
 */
public class LoopDetected extends GenericMatcher {
    public static final int DEFAULT_MAX = 10;
    private static final Pattern HOST_NAME = Pattern.compile(
        "([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*|\\[[0-9a-f:.]+\\]|\\[ipv6:[0-9a-f:.]+\\]");
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopDetected.class);

    private final Supplier<Collection<String>> serverNames;
    private int max;
    private Set<String> configuredNames;
    private String localHostName;
    private volatile Set<String> ownNames;

    /** Built by James through Guice: the SMTP servers say which hello names they write. */
    @Inject
    public LoopDetected(SMTPServerFactory smtpServers) {
        this(() -> helloNames(smtpServers));
    }

    /** {@code serverNames}: the names this server writes in its Received fields, as known now (may be empty). */
    LoopDetected(Supplier<Collection<String>> serverNames) {
        this.serverNames = Objects.requireNonNull(serverNames);
    }

    private static Collection<String> helloNames(SMTPServerFactory factory) {
        List<AbstractConfigurableAsyncServer> servers = factory.getServers();
        // null until the SMTP servers are configured: spooled mail may be processed before that
        return servers == null ? List.of() : servers.stream().map(AbstractConfigurableAsyncServer::getHelloName).toList();
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition() == null ? "" : getCondition().trim();
        if (condition.isEmpty()) {
            max = DEFAULT_MAX;
            configuredNames = Set.of();
        } else {
            String[] items = condition.split(",", -1);
            max = parseMax(condition, items[0].trim());
            Set<String> names = new LinkedHashSet<>();
            for (int i = 1; i < items.length; i++) {
                String name = ReceivedByHost.normalize(items[i]);
                if (!HOST_NAME.matcher(name).matches()) {
                    throw new MessagingException(getMatcherName() + ": invalid condition '" + condition + "': '"
                        + items[i].trim() + "' is not a host name; write LoopDetected=<max>[,host name...], e.g. "
                        + "LoopDetected=10,mx.example.com");
                }
                names.add(name);
            }
            configuredNames = Set.copyOf(names);
        }
        localHostName = localHostName();
        ownNames = null;
    }

    private int parseMax(String condition, String text) throws MessagingException {
        try {
            int value = Integer.parseInt(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MessagingException(getMatcherName() + ": invalid condition '" + condition + "': the maximum '"
            + text + "' is not a whole number of at least 1 (the message's own reception already adds one "
            + "Received field); write LoopDetected=<max>[,host name...], e.g. LoopDetected=" + DEFAULT_MAX);
    }

    int max() {
        return max;
    }

    /** This server's names, lower-case; the SMTP servers' names join as soon as they are known. */
    Set<String> ownNames() {
        Set<String> names = ownNames;
        if (names != null) {
            return names;
        }
        Set<String> fromServers = new LinkedHashSet<>();
        serverNames.get().stream().filter(Objects::nonNull).map(ReceivedByHost::normalize)
            .filter(name -> !name.isEmpty()).forEach(fromServers::add);
        Set<String> all = new LinkedHashSet<>(configuredNames);
        all.add(localHostName);
        all.addAll(fromServers);
        if (!fromServers.isEmpty()) {
            ownNames = Set.copyOf(all);
            LOGGER.info("{}: this server's names in Received fields: {}", getMatcherName(), all);
        }
        return Set.copyOf(all);
    }

    /** What James' {@code <helloName autodetect="true"/>} writes. */
    private static String localHostName() {
        try {
            return ReceivedByHost.normalize(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** How many Received fields name this server; stops counting past {@code max}. */
    int count(Mail mail) throws MessagingException {
        String[] fields = mail.getMessage().getHeader("Received");
        if (fields == null) {
            return 0;
        }
        Set<String> names = ownNames();
        int count = 0;
        for (String field : fields) {
            if (ReceivedByHost.of(field).filter(names::contains).isPresent()) {
                count++;
                if (count > max) {
                    break;
                }
            }
        }
        return count;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        int count;
        try {
            count = count(mail);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("{}: cannot read the Received fields of mail {}, not checked for a loop: {}", getMatcherName(),
                mail.getName(), e.toString());
            return List.of();
        }
        if (count <= max) {
            return List.of();
        }
        LOGGER.info("{}: mail {} from {} to {} is in a loop: more than {} Received fields name this server {}",
            getMatcherName(), mail.getName(), mail.getMaybeSender().asString(), mail.getRecipients(), max, ownNames());
        return List.copyOf(mail.getRecipients());
    }

    @Override
    public String getMatcherInfo() {
        return "LoopDetected: more than the maximum Received fields name this server";
    }
}
