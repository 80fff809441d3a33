package org.switchboard.server.smtpd;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Host or domain names to match, case-insensitively and without the root dot: {@code mail.example.net} matches that
 * name only, {@code *.example.net} any name below {@code example.net} (not {@code example.net} itself, list it too).
 */
final class NamePatterns {
    private static final String LABELS = "[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*";

    private final List<String> exact = new ArrayList<>();
    private final List<String> suffixes = new ArrayList<>();

    /** An {@link IllegalArgumentException} names the entry that is not a name or {@code *.}name. */
    static NamePatterns parse(List<String> entries) {
        NamePatterns patterns = new NamePatterns();
        for (String entry : entries) {
            String name = ClientAddresses.normalizeName(entry);
            boolean wildcard = name.startsWith("*.");
            String rest = wildcard ? name.substring(2) : name;
            if (!rest.matches(LABELS)) {
                throw new IllegalArgumentException("'" + entry + "' is not a host or domain name, nor *. and a name "
                    + "(e.g. mail.example.net, *.example.net)");
            }
            if (wildcard) {
                patterns.suffixes.add("." + rest);
            } else {
                patterns.exact.add(rest);
            }
        }
        return patterns;
    }

    /** The pattern {@code name} matches, or {@code null}. */
    String match(String name) {
        String normalized = ClientAddresses.normalizeName(name).toLowerCase(Locale.ROOT);
        if (exact.contains(normalized)) {
            return normalized;
        }
        return suffixes.stream().filter(normalized::endsWith).findFirst().map(suffix -> "*" + suffix).orElse(null);
    }
}
