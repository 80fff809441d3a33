package org.switchboard.server.smtpc;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.switchboard.server.smtpc.SmtpcSettings.HostAndPort;

/**
 * The SMTPC host table ({@code conf/smtpc-hosts.properties}): one line per domain, {@code domain = host[:port]}
 * (the host a name or an address; port {@code remotePort} when left out). Read again when it changes
 * ({@link org.switchboard.pipeline.ReloadingFile}).
 */
record HostTable(Map<String, HostAndPort> entries) {
    static HostTable parse(Path file, int defaultPort) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, HostAndPort> entries = new HashMap<>();
        for (String domain : properties.stringPropertyNames()) {
            try {
                entries.put(domain.trim().toLowerCase(Locale.ROOT),
                    HostAndPort.parse(domain, properties.getProperty(domain), defaultPort));
            } catch (ConfigurationException e) {
                throw new IllegalArgumentException("entry " + domain + ": '" + properties.getProperty(domain)
                    + "' is not host[:port]");
            }
        }
        return new HostTable(Map.copyOf(entries));
    }

    Optional<HostAndPort> lookup(String domain) {
        return Optional.ofNullable(entries.get(domain));
    }
}
