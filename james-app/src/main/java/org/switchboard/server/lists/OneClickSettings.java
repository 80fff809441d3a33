package org.switchboard.server.lists;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * {@code conf/oneclick.properties}: the one-click unsubscribe endpoint (RFC 8058) of the lists. Off unless
 * {@code oneclick.port} is set, and then {@code oneclick.host} (the public name in the links) is required;
 * {@code oneclick.bind} is the listening address (default {@code 0.0.0.0}), {@code oneclick.publicPort} the port
 * the links name when a proxy or NAT forwards another one (default: {@code oneclick.port}).
 */
record OneClickSettings(Optional<Integer> port, String host, String bind, int publicPort) {
    static final String FILE = "oneclick.properties";
    private static final Set<String> NAMES = Set.of("oneclick.port", "oneclick.host", "oneclick.bind",
        "oneclick.publicPort");

    static OneClickSettings read(Path confDirectory) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(confDirectory.resolve(FILE), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            // off
        }
        List<String> errors = new ArrayList<>();
        for (String name : properties.stringPropertyNames()) {
            if (!NAMES.contains(name)) {
                errors.add("unknown setting " + name + " (known: " + NAMES + ")");
            }
        }
        Optional<Integer> port = port(properties, "oneclick.port", errors);
        String host = properties.getProperty("oneclick.host", "").trim();
        if (port.isPresent() && !host.matches("[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]")) {
            errors.add("oneclick.host must be the host name of the links (e.g. lists.example.com) when oneclick.port"
                + " is set; it is '" + host + "'");
        }
        String bind = properties.getProperty("oneclick.bind", "0.0.0.0").trim();
        int publicPort = port(properties, "oneclick.publicPort", errors).or(() -> port).orElse(0);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(confDirectory.resolve(FILE) + ": " + String.join("; ", errors));
        }
        return new OneClickSettings(port, host, bind, publicPort);
    }

    /** host, or host:port unless the port is HTTPS' own. */
    String authority() {
        return publicPort == 443 ? host : host + ":" + publicPort;
    }

    private static Optional<Integer> port(Properties properties, String name, List<String> errors) {
        String value = properties.getProperty(name, "").trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return Optional.of(port);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        errors.add(name + " must be a port, 1 to 65535; it is '" + value + "'");
        return Optional.empty();
    }
}
