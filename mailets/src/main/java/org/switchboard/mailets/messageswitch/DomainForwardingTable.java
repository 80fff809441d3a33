package org.switchboard.mailets.messageswitch;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.james.core.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.Route;

/**
 * The spec's domain forwarding table: mail for a domain the directory does not know goes to a channel, typically
 * {@code BSMTPOUT$<tunnel mailbox>} (the BSMTP encoder wraps it for that POP3 tunnel). One file of
 * {@code domain = CHANNEL$address} lines (Java properties syntax, {@code #} comments); a key starting with a dot
 * ({@code .example.org}) also covers every sub-domain. The most specific key wins.
 *
 * <p>The file is read again when its modification time changes (checked at most every {@code recheckMillis}), so
 * an administrator edits it without a restart; a file that no longer parses keeps the previous table and logs why.
 */
final class DomainForwardingTable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DomainForwardingTable.class);

    private final Path file;
    private final long recheckMillis;
    private volatile Map<String, Route> routes;
    private volatile FileTime loadedVersion;
    private volatile long checkedAt;

    private DomainForwardingTable(Path file, long recheckMillis, Map<String, Route> routes, FileTime version) {
        this.file = file;
        this.recheckMillis = recheckMillis;
        this.routes = routes;
        this.loadedVersion = version;
        this.checkedAt = System.currentTimeMillis();
    }

    /** Reads the file; throws {@link IllegalArgumentException} naming the file and the line when it is invalid. */
    static DomainForwardingTable load(Path file, long recheckMillis) {
        try {
            FileTime version = Files.getLastModifiedTime(file);
            return new DomainForwardingTable(file, recheckMillis, parse(file), version);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the domain forwarding table " + file + ": " + e.getMessage(), e);
        }
    }

    /** The route for a domain, from its own key or the closest {@code .parent} key. */
    Optional<Route> routeFor(Domain domain) {
        reloadIfChanged();
        Map<String, Route> table = routes;
        String name = domain.asString().toLowerCase(Locale.ROOT);
        Route exact = table.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            Route parent = table.get(name.substring(dot));
            if (parent != null) {
                return Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    int size() {
        return routes.size();
    }

    private void reloadIfChanged() {
        long now = System.currentTimeMillis();
        if (now - checkedAt < recheckMillis) {
            return;
        }
        synchronized (this) {
            if (now - checkedAt < recheckMillis) {
                return;
            }
            checkedAt = now;
            try {
                FileTime version = Files.getLastModifiedTime(file);
                if (!version.equals(loadedVersion)) {
                    routes = parse(file);
                    loadedVersion = version;
                    LOGGER.info("Domain forwarding table {} reloaded: {} domain(s)", file, routes.size());
                }
            } catch (IOException | IllegalArgumentException e) {
                LOGGER.error("Domain forwarding table {} not reloaded, the previous one stays in use: {}", file,
                    e.getMessage());
            }
        }
    }

    private static Map<String, Route> parse(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, Route> table = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            String domain = key.trim().toLowerCase(Locale.ROOT);
            String bare = domain.startsWith(".") ? domain.substring(1) : domain;
            try {
                Domain.of(bare);
                table.put(domain, Route.parse(properties.getProperty(key).trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": entry '" + key + " = " + properties.getProperty(key)
                    + "': " + e.getMessage(), e);
            }
        }
        return Map.copyOf(table);
    }
}
