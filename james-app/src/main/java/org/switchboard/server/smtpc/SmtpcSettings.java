package org.switchboard.server.smtpc;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.util.DurationParser;

/**
 * {@code conf/smtpc.xml}: the SMTPC delivery service's settings. Every value is checked here, at start-up; a wrong
 * one stops the server with a message naming the element.
 */
record SmtpcSettings(String queue, String heloName, RoutingOrder routing, Optional<String> hostTable, int remotePort,
                     Optional<HostAndPort> primaryRelay, Optional<HostAndPort> secondaryRelay, Duration relayCheckInterval,
                     List<String> relayEtrn, Duration relayEtrnEvery,
                     long precedenceMultiplier, long sizeMultiplier, Duration connectTimeout, Duration replyTimeout,
                     boolean startTls, DomainProfile defaultProfile, Map<String, DomainProfile> profiles) {

    /** Which source says where a domain's mail goes, and which is asked when the first has no answer. */
    enum RoutingOrder {
        DNS, HOSTS, DNS_THEN_HOSTS, HOSTS_THEN_DNS;

        static RoutingOrder parse(String value) throws ConfigurationException {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("smtpc.xml: <routing> '" + value
                    + "' is not one of dns, hosts, dns-then-hosts, hosts-then-dns");
            }
        }
    }

    record HostAndPort(String host, int port) {
        static HostAndPort parse(String element, String value, int defaultPort) throws ConfigurationException {
            String trimmed = value.trim();
            int colon = trimmed.lastIndexOf(':');
            String host = colon < 0 ? trimmed : trimmed.substring(0, colon);
            int port = defaultPort;
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(trimmed.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                throw new ConfigurationException("smtpc.xml: <" + element + "> '" + value + "' is not host[:port]");
            }
            return new HostAndPort(host, port);
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private static final Set<String> PROFILE_ELEMENTS = Set.of("[@domain]", "queueRunInterval", "queueRunSize",
        "maxSessions", "maxMessagesPerSession", "sessionIdleTime", "expiry", "hold");

    static SmtpcSettings from(HierarchicalConfiguration<ImmutableNode> config, String defaultHeloName) throws ConfigurationException {
        int remotePort = positive(config, "remotePort", 25);
        Optional<HostAndPort> primary = optionalHost(config, "relay.primary", remotePort);
        Optional<HostAndPort> secondary = optionalHost(config, "relay.secondary", remotePort);
        if (secondary.isPresent() && primary.isEmpty()) {
            throw new ConfigurationException("smtpc.xml: <relay><secondary> needs a <primary>");
        }
        // whether or not the configuration splits lists at commas, the names are split here
        List<String> etrn = config.getList(String.class, "relay.etrn", List.of()).stream()
            .flatMap(value -> Arrays.stream(value.split("[,\\s]+")))
            .filter(name -> !name.isEmpty()).toList();
        if (!etrn.isEmpty() && primary.isEmpty()) {
            throw new ConfigurationException("smtpc.xml: <relay><etrn> needs a <primary>");
        }
        DomainProfile defaultProfile = DomainProfile.DEFAULT;
        Map<String, DomainProfile> profiles = new HashMap<>();
        for (HierarchicalConfiguration<ImmutableNode> profile : config.configurationsAt("profile")) {
            String domain = profile.getString("[@domain]", "").trim().toLowerCase(Locale.ROOT);
            if (domain.isEmpty()) {
                throw new ConfigurationException("smtpc.xml: a <profile> needs a domain attribute (or domain=\"default\")");
            }
            DomainProfile parsed = profile(profile, domain, domain.equals("default") ? DomainProfile.DEFAULT : defaultProfile);
            if (domain.equals("default")) {
                defaultProfile = parsed;
            } else {
                profiles.put(domain, parsed);
            }
        }
        String queue = config.getString("queue", "smtpc").trim();
        if (queue.isEmpty()) {
            throw new ConfigurationException("smtpc.xml: <queue> is empty");
        }
        return new SmtpcSettings(queue,
            config.getString("heloName", defaultHeloName).trim(),
            RoutingOrder.parse(config.getString("routing", "dns")),
            Optional.ofNullable(config.getString("hostTable", null)).map(String::trim).filter(value -> !value.isEmpty()),
            remotePort, primary, secondary,
            duration(config, "relay.checkPrimaryEvery", "5 minutes"),
            etrn, duration(config, "relay.etrnEvery", "15 minutes"),
            nonNegative(config, "precedenceMultiplier", 1000),
            nonNegative(config, "sizeMultiplier", 1),
            duration(config, "connectTimeout", "30 seconds"),
            duration(config, "replyTimeout", "5 minutes"),
            config.getBoolean("startTls", true),
            defaultProfile, Map.copyOf(profiles));
    }

    DomainProfile profile(String domain) {
        return profiles.getOrDefault(domain, defaultProfile);
    }

    private static DomainProfile profile(HierarchicalConfiguration<ImmutableNode> profile, String domain,
                                         DomainProfile base) throws ConfigurationException {
        for (String key : (Iterable<String>) profile::getKeys) {
            if (!PROFILE_ELEMENTS.contains(key)) {
                throw new ConfigurationException("smtpc.xml: <profile domain=\"" + domain + "\"> has an unknown element <"
                    + key + "> (known: queueRunInterval, queueRunSize, maxSessions, maxMessagesPerSession, sessionIdleTime, expiry, hold)");
            }
        }
        String where = "profile domain=\"" + domain + "\" ";
        return new DomainProfile(
            durationOr(profile, where, "queueRunInterval", base.queueRunInterval()),
            positiveOr(profile, where, "queueRunSize", base.queueRunSize()),
            positiveOr(profile, where, "maxSessions", base.maxSessions()),
            positiveOr(profile, where, "maxMessagesPerSession", base.maxMessagesPerSession()),
            durationOr(profile, where, "sessionIdleTime", base.sessionIdleTime()),
            durationOr(profile, where, "expiry", base.expiry()),
            profile.getBoolean("hold", base.hold()));
    }

    private static Optional<HostAndPort> optionalHost(HierarchicalConfiguration<ImmutableNode> config, String key,
                                                      int defaultPort) throws ConfigurationException {
        String value = config.getString(key, "").trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(HostAndPort.parse(key, value, defaultPort));
    }

    private static int positive(HierarchicalConfiguration<ImmutableNode> config, String key, int defaultValue) throws ConfigurationException {
        return positiveOr(config, "", key, defaultValue);
    }

    private static int positiveOr(HierarchicalConfiguration<ImmutableNode> config, String where, String key,
                                  int defaultValue) throws ConfigurationException {
        String value = config.getString(key, String.valueOf(defaultValue)).trim();
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException("smtpc.xml: <" + where + key + "> '" + value + "' is not a positive number");
    }

    private static long nonNegative(HierarchicalConfiguration<ImmutableNode> config, String key, long defaultValue) throws ConfigurationException {
        String value = config.getString(key, String.valueOf(defaultValue)).trim();
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException("smtpc.xml: <" + key + "> '" + value + "' is not a number >= 0");
    }

    private static Duration duration(HierarchicalConfiguration<ImmutableNode> config, String key, String defaultValue) throws ConfigurationException {
        return parseDuration("", key, config.getString(key, defaultValue));
    }

    private static Duration durationOr(HierarchicalConfiguration<ImmutableNode> config, String where, String key,
                                       Duration defaultValue) throws ConfigurationException {
        String value = config.getString(key, null);
        return value == null ? defaultValue : parseDuration(where, key, value);
    }

    private static Duration parseDuration(String where, String key, String value) throws ConfigurationException {
        try {
            Duration parsed = DurationParser.parse(value.trim(), ChronoUnit.SECONDS);
            if (!parsed.isNegative() && !parsed.isZero()) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ConfigurationException("smtpc.xml: <" + where + key + "> '" + value
            + "' is not a duration such as '30 seconds' or '2 hours'");
    }
}
