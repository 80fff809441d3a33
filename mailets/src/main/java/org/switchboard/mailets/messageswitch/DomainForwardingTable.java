package org.switchboard.mailets.messageswitch;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;

import org.apache.james.core.Domain;
import org.switchboard.pipeline.ReloadingFile;
import org.switchboard.pipeline.Route;

/**
 * The spec's domain forwarding table: mail for a domain the directory does not know goes to a channel, typically
 * {@code BSMTPOUT$<tunnel mailbox>} (the BSMTP encoder wraps it for that POP3 tunnel). One file of
 * {@code domain = CHANNEL$address} lines (Java properties syntax, {@code #} comments); a key starting with a dot
 * ({@code .example.org}) also covers every sub-domain. The most specific key wins.
 *
 * <p>The file is read again when it changes ({@link ReloadingFile}), so an administrator edits it without a restart;
 * a file that no longer parses keeps the previous table in force.
 */
final class DomainForwardingTable {
    private final ReloadingFile<Map<String, Route>> file;

    private DomainForwardingTable(ReloadingFile<Map<String, Route>> file) {
        this.file = file;
    }

    /** Reads the file; {@link IllegalArgumentException} naming the file and the entry when it is not usable. */
    static DomainForwardingTable load(Path file) {
        return load(file, System::nanoTime, ReloadingFile.CHECK_INTERVAL);
    }

    static DomainForwardingTable load(Path file, LongSupplier nanoClock, Duration checkInterval) {
        return new DomainForwardingTable(ReloadingFile.load("Domain forwarding table", file,
            DomainForwardingTable::parse, table -> table.size() + " domain(s)", nanoClock, checkInterval));
    }

    /** The route for a domain, from its own key or the closest {@code .parent} key. */
    Optional<Route> routeFor(Domain domain) {
        Map<String, Route> table = file.current();
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
                throw new IllegalArgumentException("entry '" + key + " = " + properties.getProperty(key) + "': "
                    + e.getMessage(), e);
            }
        }
        return Map.copyOf(table);
    }
}
