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
 * Settings of the directory, read from {@code conf/directory.xml}:
 *
 * <pre>{@code
 * <directory>
 *   <domain>example.com</domain>                  <!-- required: the mail domain naming the suffix -->
 *   <suffix>dc=example,dc=com</suffix>            <!-- optional, default: dc= components of the domain -->
 *   <external>ldaps://ldap.example.com</external> <!-- optional: use this LDAP server, start no embedded one -->
 *   <bindAddress>127.0.0.1</bindAddress>
 *   <ldapPort>10389</ldapPort>
 *   <ldapsPort>10636</ldapsPort>                  <!-- 0: no LDAPS listener -->
 *   <startTls>true</startTls>
 *   <allowAnonymousAccess>false</allowAnonymousAccess> <!-- true: anonymous reads objectClass, mail, cn -->
 *   <adminDn>cn=admin,dc=example,dc=com</adminDn>   <!-- external only (required there): the server's account -->
 *   <adminPassword>...</adminPassword>            <!-- optional: default, generated at first start -->
 *   <tls>
 *     <privateKey>file://conf/tls/private.key</privateKey>    <!-- PKCS#8 PEM, unencrypted -->
 *     <certificates>file://conf/tls/certificate.pem</certificates>
 *   </tls>
 * </directory>
 * }</pre>
 *
 * Every problem is reported at once, in an {@link IllegalArgumentException} naming the file and the element.
 */
public final class DirectoryConfiguration {
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

    private final String domain;
    private final String suffix;
    private final Optional<URI> external;
    private final String adminDn;
    private final String bindAddress;
    private final int ldapPort;
    private final int ldapsPort;
    private final boolean startTls;
    private final boolean allowAnonymousAccess;
    private final Optional<String> adminPassword;
    private final String privateKey;
    private final String certificates;

    private DirectoryConfiguration(Builder builder) {
        this.domain = builder.domain;
        this.suffix = builder.suffix;
        this.external = builder.external;
        this.bindAddress = builder.bindAddress;
        this.ldapPort = builder.ldapPort;
        this.ldapsPort = builder.ldapsPort;
        this.startTls = builder.startTls;
        this.allowAnonymousAccess = builder.allowAnonymousAccess;
        this.adminPassword = builder.adminPassword;
        this.adminDn = builder.adminDn;
        this.privateKey = builder.privateKey;
        this.certificates = builder.certificates;
    }

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
        Builder builder = new Builder();

        String domain = text(configuration, "domain");
        if (domain == null) {
            errors.add("<domain> is required: the mail domain whose dc= components name the directory suffix");
        } else if (!DOMAIN.matcher(domain).matches()) {
            errors.add("<domain> '" + domain + "' is not a domain name such as example.com");
        } else {
            builder.domain = domain.toLowerCase(Locale.ROOT);
            builder.suffix = SchemaLdif.suffixOf(builder.domain);
        }
        String suffix = text(configuration, "suffix");
        if (suffix != null) {
            String compact = suffix.replaceAll("\\s*,\\s*", ",").replaceAll("\\s*=\\s*", "=");
            if (!DC_SUFFIX.matcher(compact).matches()) {
                errors.add("<suffix> '" + suffix + "' must be made of dc= components, e.g. dc=example,dc=com");
            } else {
                builder.suffix = compact.toLowerCase(Locale.ROOT);
            }
        }

        String external = text(configuration, "external");
        if (external != null) {
            try {
                URI uri = new URI(external);
                if (uri.getScheme() == null || !Set.of("ldap", "ldaps").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null) {
                    errors.add("<external> '" + external + "' must be an ldap:// or ldaps:// URL with a host");
                } else {
                    builder.external = Optional.of(uri);
                }
            } catch (URISyntaxException e) {
                errors.add("<external> '" + external + "' is not a URL: " + e.getMessage());
            }
        }

        String bindAddress = text(configuration, "bindAddress");
        if (bindAddress != null) {
            if (!isIpLiteral(bindAddress)) {
                errors.add("<bindAddress> '" + bindAddress + "' must be an IP address such as 127.0.0.1");
            } else {
                builder.bindAddress = bindAddress;
            }
        }
        builder.ldapPort = port(configuration, "ldapPort", DEFAULT_LDAP_PORT, false, errors);
        builder.ldapsPort = port(configuration, "ldapsPort", DEFAULT_LDAPS_PORT, true, errors);
        if (builder.ldapsPort != 0 && builder.ldapsPort == builder.ldapPort) {
            errors.add("<ldapPort> and <ldapsPort> are both " + builder.ldapPort + ": use two ports (or ldapsPort 0)");
        }
        builder.startTls = bool(configuration, "startTls", true, errors);
        builder.allowAnonymousAccess = bool(configuration, "allowAnonymousAccess", false, errors);

        String password = configuration.getString("adminPassword", null);
        if (password != null && !password.isEmpty()) {
            if (password.length() < MINIMUM_PASSWORD_LENGTH) {
                errors.add("<adminPassword> is too short: at least " + MINIMUM_PASSWORD_LENGTH
                    + " characters, or leave it out to have one generated at first start");
            } else if (password.equals("secret")) {
                errors.add("<adminPassword> must not be ApacheDS' well-known default");
            } else {
                builder.adminPassword = Optional.of(password);
            }
        }
        String adminDn = text(configuration, "adminDn");
        if (builder.external.isPresent()) {
            if (adminDn == null || builder.adminPassword.isEmpty()) {
                errors.add("<external> needs <adminDn> and <adminPassword>: the account Switchboard binds with to read"
                    + " and write people (AddUser, SetPassword)");
            } else {
                builder.adminDn = adminDn;
            }
        } else if (adminDn != null) {
            errors.add("<adminDn> is for an <external> server only: the embedded administrator is "
                + EmbeddedDirectoryServer.ADMIN_DN);
        }
        builder.privateKey = path(configuration, "tls.privateKey", DEFAULT_PRIVATE_KEY);
        builder.certificates = path(configuration, "tls.certificates", DEFAULT_CERTIFICATES);

        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(origin + ": invalid directory configuration:\n  - "
                + String.join("\n  - ", errors));
        }
        return new DirectoryConfiguration(builder);
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

    public String domain() {
        return domain;
    }

    /** The DN of the partition holding Switchboard's entries, e.g. {@code dc=example,dc=com}. */
    public String suffix() {
        return suffix;
    }

    /** An external LDAP server to use instead of the embedded one. */
    public Optional<URI> external() {
        return external;
    }

    public boolean isExternal() {
        return external.isPresent();
    }

    public String bindAddress() {
        return bindAddress;
    }

    public int ldapPort() {
        return ldapPort;
    }

    /** 0 when there is no LDAPS listener. */
    public int ldapsPort() {
        return ldapsPort;
    }

    public boolean startTls() {
        return startTls;
    }

    public boolean allowAnonymousAccess() {
        return allowAnonymousAccess;
    }

    /** The DN Switchboard binds with: the embedded administrator, or {@code <adminDn>} of an external server. */
    public String adminDn() {
        return adminDn;
    }

    public Optional<String> adminPassword() {
        return adminPassword;
    }

    /** Path of the PEM private key, relative to the server's root unless absolute. */
    public String privateKey() {
        return privateKey;
    }

    /** Path of the PEM certificate chain, relative to the server's root unless absolute. */
    public String certificates() {
        return certificates;
    }

    /** Same settings on other ports: for tests. */
    public DirectoryConfiguration withPorts(int ldapPort, int ldapsPort) {
        Builder builder = new Builder(this);
        builder.ldapPort = ldapPort;
        builder.ldapsPort = ldapsPort;
        return new DirectoryConfiguration(builder);
    }

    @Override
    public String toString() {
        return "DirectoryConfiguration{domain=" + domain + ", suffix=" + suffix + ", external=" + external.orElse(null)
            + ", bindAddress=" + bindAddress + ", ldapPort=" + ldapPort + ", ldapsPort=" + ldapsPort
            + ", startTls=" + startTls + ", allowAnonymousAccess=" + allowAnonymousAccess
            + ", adminPassword=" + (adminPassword.isPresent() ? "(configured)" : "(generated)") + "}";
    }

    private static final class Builder {
        private String domain;
        private String suffix;
        private Optional<URI> external = Optional.empty();
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int ldapPort = DEFAULT_LDAP_PORT;
        private int ldapsPort = DEFAULT_LDAPS_PORT;
        private boolean startTls = true;
        private boolean allowAnonymousAccess;
        private Optional<String> adminPassword = Optional.empty();
        private String adminDn = EmbeddedDirectoryServer.ADMIN_DN;
        private String privateKey = DEFAULT_PRIVATE_KEY;
        private String certificates = DEFAULT_CERTIFICATES;

        private Builder() {
        }

        private Builder(DirectoryConfiguration from) {
            domain = from.domain;
            suffix = from.suffix;
            external = from.external;
            bindAddress = from.bindAddress;
            ldapPort = from.ldapPort;
            ldapsPort = from.ldapsPort;
            startTls = from.startTls;
            allowAnonymousAccess = from.allowAnonymousAccess;
            adminPassword = from.adminPassword;
            adminDn = from.adminDn;
            privateKey = from.privateKey;
            certificates = from.certificates;
        }
    }
}
