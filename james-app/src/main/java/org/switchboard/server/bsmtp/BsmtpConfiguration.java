package org.switchboard.server.bsmtp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.AddressException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.util.DurationParser;
import org.switchboard.mailets.bsmtp.RecipientDomains;
import org.switchboard.server.bsmtp.Pop3Account.Security;
import org.switchboard.server.bsmtp.Pop3Account.TimeWindow;

/**
 * Reads {@code conf/bsmtp.xml}: the POP3 accounts the BSMTP decoder polls. Every error names the account and the
 * element, and stops the start (a tunnel half configured would either lose mail or trust the wrong senders).
 */
final class BsmtpConfiguration {
    private static final Set<String> ELEMENTS = Set.of("[@name]", "host", "port", "security", "trustedCertificate",
        "user", "password", "interval", "window", "encoders", "allowedDomains");

    private BsmtpConfiguration() {
    }

    static List<Pop3Account> read(HierarchicalConfiguration<ImmutableNode> configuration, Path confDirectory) {
        List<Pop3Account> accounts = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (HierarchicalConfiguration<ImmutableNode> node : configuration.configurationsAt("account")) {
            Pop3Account account = account(node, confDirectory, accounts.size() + 1);
            if (!names.add(account.name())) {
                throw new IllegalArgumentException("conf/bsmtp.xml: two accounts are named " + account.name());
            }
            accounts.add(account);
        }
        return accounts;
    }

    private static Pop3Account account(HierarchicalConfiguration<ImmutableNode> node, Path conf, int position) {
        String name = Optional.ofNullable(node.getString("[@name]")).map(String::trim).orElse("");
        String owner = "conf/bsmtp.xml: account " + (name.isEmpty() ? "#" + position : name);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(owner + ": the name attribute is missing or not made of letters, digits, '.', '_', '-'");
        }
        List<String> unknown = new ArrayList<>();
        node.getKeys().forEachRemaining(key -> {
            if (!ELEMENTS.contains(key)) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(owner + ": unknown element(s) " + unknown + "; the elements are "
                + new java.util.TreeSet<>(ELEMENTS));
        }
        Security security = choice(owner, "security", value(node, "security").orElse("starttls"));
        int defaultPort = security == Security.POP3S ? 995 : 110;
        int port = value(node, "port").map(value -> port(owner, value)).orElse(defaultPort);
        Optional<Path> certificate = value(node, "trustedCertificate").map(value -> {
            Path path = Path.of(value).isAbsolute() ? Path.of(value) : conf.resolve(value);
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException(owner + ": trustedCertificate " + path + " cannot be read");
            }
            return path;
        });
        Duration interval = value(node, "interval").map(value -> duration(owner, value)).orElse(Duration.ofMinutes(5));
        Optional<TimeWindow> window = value(node, "window").map(value -> {
            try {
                return TimeWindow.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(owner + ": window '" + value + "': " + e.getMessage());
            }
        });
        String domains = required(node, owner, "allowedDomains");
        RecipientDomains allowed;
        try {
            allowed = RecipientDomains.parse(domains);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + ": allowedDomains '" + domains + "': " + e.getMessage());
        }
        return new Pop3Account(name, required(node, owner, "host"), port, security, certificate,
            required(node, owner, "user"), password(node, owner), interval, window, encoders(node, owner), allowed);
    }

    private static Optional<String> value(HierarchicalConfiguration<ImmutableNode> node, String element) {
        return Optional.ofNullable(node.getString(element, null)).map(String::trim);
    }

    private static String required(HierarchicalConfiguration<ImmutableNode> node, String owner, String element) {
        return value(node, element).filter(value -> !value.isEmpty())
            .orElseThrow(() -> new IllegalArgumentException(owner + ": <" + element + "> is missing or empty"));
    }

    /** As configured (James' XML reader trims it unless the element has xml:space="preserve"). Never part of any message. */
    private static String password(HierarchicalConfiguration<ImmutableNode> node, String owner) {
        String password = node.getString("password", null);
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException(owner + ": <password> is missing or empty");
        }
        return password;
    }

    private static Set<MailAddress> encoders(HierarchicalConfiguration<ImmutableNode> node, String owner) {
        Set<MailAddress> encoders = new LinkedHashSet<>();
        for (String value : required(node, owner, "encoders").split("[,\\s]+")) {
            try {
                encoders.add(new MailAddress(value));
            } catch (AddressException e) {
                throw new IllegalArgumentException(owner + ": encoders: '" + value + "' is not a mail address");
            }
        }
        return encoders;
    }

    private static Security choice(String owner, String element, String value) {
        try {
            return Security.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + ": " + element + " '" + value + "': expected pop3s, starttls or none");
        }
    }

    private static int port(String owner, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(owner + ": port '" + value + "': expected 1-65535");
    }

    private static Duration duration(String owner, String value) {
        try {
            Duration duration = DurationParser.parse(value, ChronoUnit.SECONDS);
            if (duration.compareTo(Duration.ofSeconds(1)) >= 0) {
                return duration;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(owner + ": interval '" + value + "': expected a duration of 1s or more (30s, 5m)");
    }
}
