package org.switchboard.server.directory;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.switchboard.directory.schema.SchemaLdif;

/**
 * Settings of the directory, read from {@code conf/directory.xml}: every element, its default and what it does are
 * in {@code docs/reference.md} ("conf/directory.xml"). Only {@code <domain>} is required. Every problem is reported
 * at once, in an {@link IllegalArgumentException} naming the file and the element.
 */
public record DirectoryConfiguration(String domain, String suffix, Optional<URI> external, String bindAddress,
                                     int ldapPort, int ldapsPort, boolean startTls, boolean allowAnonymousAccess,
                                     String adminDn, Optional<String> adminPassword, String privateKey,
                                     String certificates) {
    public static final String FILE_NAME = "directory.xml";
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_LDAP_PORT = 10389;
    public static final int DEFAULT_LDAPS_PORT = 10636;
    public static final String DEFAULT_PRIVATE_KEY = "conf/tls/private.key";
    public static final String DEFAULT_CERTIFICATES = "conf/tls/certificate.pem";
    private static final int MINIMUM_PASSWORD_LENGTH = 12;

    private static final Set<String> KEYS = Set.of("domain", "suffix", "external", "bindAddress", "ldapPort",
        "ldapsPort", "startTls", "allowAnonymousAccess", "adminDn", "adminPassword", "tls.privateKey", "tls.certificates");
    private static final Pattern DOMAIN = Pattern.compile(
        "(?i)^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern DC_SUFFIX = Pattern.compile(
        "(?i)^dc=[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(,dc=[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");

    /** Reads and validates a {@code directory.xml} file. */
    public static DirectoryConfiguration load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": directory configuration file not found");
        }
        XMLConfiguration xml = new XMLConfiguration();
        try {
            new FileHandler(xml).load(file.toFile());
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException(file + ": not a readable XML configuration: " + e.getMessage(), e);
        }
        return from(xml, file.toString());
    }

    /**
     * Validates settings read by James' configuration provider ({@code getConfiguration("directory")}).
     *
     * @param origin names the file in error messages
     */
    public static DirectoryConfiguration from(HierarchicalConfiguration<ImmutableNode> configuration, String origin) {
        List<String> errors = new ArrayList<>();
        for (Iterator<String> keys = configuration.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                errors.add("unknown element <" + key.replace('.', '/') + "> (known: " + String.join(", ",
                    KEYS.stream().sorted().toList()) + ")");
            }
        }
        String domain = domain(configuration, errors);
        String suffix = suffix(configuration, domain, errors);
        Optional<URI> external = external(configuration, errors);
        String bindAddress = bindAddress(configuration, errors);
        int ldapPort = port(configuration, "ldapPort", DEFAULT_LDAP_PORT, false, errors);
        int ldapsPort = port(configuration, "ldapsPort", DEFAULT_LDAPS_PORT, true, errors);
        if (ldapsPort != 0 && ldapsPort == ldapPort) {
            errors.add("<ldapPort> and <ldapsPort> are both " + ldapPort + ": use two ports (or ldapsPort 0)");
        }
        boolean startTls = bool(configuration, "startTls", true, errors);
        boolean allowAnonymousAccess = bool(configuration, "allowAnonymousAccess", false, errors);
        Optional<String> adminPassword = adminPassword(configuration, errors);
        String adminDn = adminDn(configuration, external.isPresent(), adminPassword.isPresent(), errors);
        String privateKey = path(configuration, "tls.privateKey", DEFAULT_PRIVATE_KEY);
        String certificates = path(configuration, "tls.certificates", DEFAULT_CERTIFICATES);

        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(origin + ": invalid directory configuration:\n  - "
                + String.join("\n  - ", errors));
        }
        return new DirectoryConfiguration(domain, suffix, external, bindAddress, ldapPort, ldapsPort, startTls,
            allowAnonymousAccess, adminDn, adminPassword, privateKey, certificates);
    }

    /** {@code <domain>}, lower-cased; null (reported) when missing or not a domain name. */
    private static String domain(HierarchicalConfiguration<ImmutableNode> configuration, List<String> errors) {
        String domain = text(configuration, "domain");
        if (domain == null) {
            errors.add("<domain> is required: the mail domain whose dc= components name the directory suffix");
            return null;
        }
        if (!DOMAIN.matcher(domain).matches()) {
            errors.add("<domain> '" + domain + "' is not a domain name such as example.com");
            return null;
        }
        return domain.toLowerCase(Locale.ROOT);
    }

    /** {@code <suffix>} without spaces, lower-cased; by default the dc= components of the domain. */
    private static String suffix(HierarchicalConfiguration<ImmutableNode> configuration, String domain,
                                 List<String> errors) {
        String defaultSuffix = domain == null ? null : SchemaLdif.suffixOf(domain);
        String suffix = text(configuration, "suffix");
        if (suffix == null) {
            return defaultSuffix;
        }
        String compact = suffix.replaceAll("\\s*,\\s*", ",").replaceAll("\\s*=\\s*", "=");
        if (!DC_SUFFIX.matcher(compact).matches()) {
            errors.add("<suffix> '" + suffix + "' must be made of dc= components, e.g. dc=example,dc=com");
            return defaultSuffix;
        }
        return compact.toLowerCase(Locale.ROOT);
    }

    private static Optional<URI> external(HierarchicalConfiguration<ImmutableNode> configuration,
                                          List<String> errors) {
        String external = text(configuration, "external");
        if (external == null) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(external);
            if (uri.getScheme() != null && Set.of("ldap", "ldaps").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                && uri.getHost() != null) {
                return Optional.of(uri);
            }
            errors.add("<external> '" + external + "' must be an ldap:// or ldaps:// URL with a host");
        } catch (URISyntaxException e) {
            errors.add("<external> '" + external + "' is not a URL: " + e.getMessage());
        }
        return Optional.empty();
    }

    private static String bindAddress(HierarchicalConfiguration<ImmutableNode> configuration, List<String> errors) {
        String bindAddress = text(configuration, "bindAddress");
        if (bindAddress == null) {
            return DEFAULT_BIND_ADDRESS;
        }
        if (!isIpLiteral(bindAddress)) {
            errors.add("<bindAddress> '" + bindAddress + "' must be an IP address such as 127.0.0.1");
            return DEFAULT_BIND_ADDRESS;
        }
        return bindAddress;
    }

    private static Optional<String> adminPassword(HierarchicalConfiguration<ImmutableNode> configuration,
                                                  List<String> errors) {
        String password = configuration.getString("adminPassword", null);
        if (password == null || password.isEmpty()) {
            return Optional.empty();
        }
        if (password.length() < MINIMUM_PASSWORD_LENGTH) { // ApacheDS' well-known "secret" included
            errors.add("<adminPassword> is too short: at least " + MINIMUM_PASSWORD_LENGTH
                + " characters, or leave it out to have one generated at first start");
            return Optional.empty();
        }
        return Optional.of(password);
    }

    /** {@code <adminDn>}: required with {@code <external>} (with a password), refused without it. */
    private static String adminDn(HierarchicalConfiguration<ImmutableNode> configuration, boolean external,
                                  boolean adminPassword, List<String> errors) {
        String adminDn = text(configuration, "adminDn");
        if (!external) {
            if (adminDn != null) {
                errors.add("<adminDn> is for an <external> server only: the embedded administrator is "
                    + EmbeddedDirectoryServer.ADMIN_DN);
            }
            return EmbeddedDirectoryServer.ADMIN_DN;
        }
        if (adminDn == null || !adminPassword) {
            errors.add("<external> needs <adminDn> and <adminPassword>: the account Switchboard binds with to read"
                + " and write people (AddUser, SetPassword)");
        }
        return adminDn;
    }

    private static String text(HierarchicalConfiguration<ImmutableNode> configuration, String key) {
        String value = configuration.getString(key, null);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static int port(HierarchicalConfiguration<ImmutableNode> configuration, String key, int defaultValue,
                            boolean zeroDisables, List<String> errors) {
        String value = text(configuration, key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int port = Integer.parseInt(value);
            if ((port == 0 && zeroDisables) || (port >= 1 && port <= 65535)) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add("<" + key + "> '" + value + "' must be a TCP port between 1 and 65535"
            + (zeroDisables ? " (or 0 for none)" : ""));
        return defaultValue;
    }

    private static boolean bool(HierarchicalConfiguration<ImmutableNode> configuration, String key,
                                boolean defaultValue, List<String> errors) {
        String value = text(configuration, key);
        if (value == null) {
            return defaultValue;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        errors.add("<" + key.replace('.', '/') + "> '" + value + "' must be true or false");
        return defaultValue;
    }

    private static String path(HierarchicalConfiguration<ImmutableNode> configuration, String key,
                               String defaultValue) {
        String value = text(configuration, key);
        if (value == null) {
            return defaultValue;
        }
        return value.startsWith("file://") ? value.substring("file://".length()) : value;
    }

    private static boolean isIpLiteral(String address) {
        boolean looksLiteral = address.matches("[0-9.]+") || address.contains(":");
        if (!looksLiteral) {
            return false;
        }
        try {
            InetAddress.getByName(address); // a literal is parsed, never resolved
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public boolean isExternal() {
        return external.isPresent();
    }

    /** Same settings on other ports: for tests. */
    public DirectoryConfiguration withPorts(int newLdapPort, int newLdapsPort) {
        return new DirectoryConfiguration(domain, suffix, external, bindAddress, newLdapPort, newLdapsPort, startTls,
            allowAnonymousAccess, adminDn, adminPassword, privateKey, certificates);
    }

    /** Never shows the administrator password. */
    @Override
    public String toString() {
        return "DirectoryConfiguration{domain=" + domain + ", suffix=" + suffix + ", external=" + external.orElse(null)
            + ", bindAddress=" + bindAddress + ", ldapPort=" + ldapPort + ", ldapsPort=" + ldapsPort
            + ", startTls=" + startTls + ", allowAnonymousAccess=" + allowAnonymousAccess
            + ", adminPassword=" + (adminPassword.isPresent() ? "(configured)" : "(generated)") + "}";
    }
}
