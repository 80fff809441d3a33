package org.switchboard.server.directory;

import java.util.Locale;
import java.util.Objects;

/**
 * How {@link DirectoryUsersDAO} reaches the directory.
 *
 * @param url                 {@code ldap://host:port} or {@code ldaps://host:port}
 * @param bindDn              the administrator (or a service account allowed to add, modify and delete
 *                            {@code ieperson} entries below the suffix)
 * @param bindPassword        its password
 * @param suffix              the base below which people are searched and created, e.g. {@code dc=example,dc=com}
 * @param poolSize            maximum connections of each of the two pools (administrative, user binds)
 * @param startTls            for {@code ldap://} URLs: issue StartTLS on every connection (fails when the server
 *                            does not offer it); ignored for {@code ldaps://}
 * @param trustAllCertificates accept any server certificate (self-signed test servers only); otherwise the JVM's
 *                            default trust store is used and the host name is checked
 * @param disabledAttribute   attribute of an {@code ieperson} entry that disables the account when it holds
 *                            {@code TRUE} (default {@code ieAccountDisabled}, a boolean of the Switchboard schema)
 */
public record DirectoryUsersConfiguration(String url, String bindDn, String bindPassword, String suffix, int poolSize,
                                          boolean startTls, boolean trustAllCertificates, String disabledAttribute) {
    public static final String DEFAULT_DISABLED_ATTRIBUTE = "ieAccountDisabled";
    public static final int DEFAULT_POOL_SIZE = 8;

    public DirectoryUsersConfiguration {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(bindDn, "bindDn");
        Objects.requireNonNull(bindPassword, "bindPassword");
        Objects.requireNonNull(suffix, "suffix");
        String scheme = url.toLowerCase(Locale.ROOT);
        if (!scheme.startsWith("ldap://") && !scheme.startsWith("ldaps://")) {
            throw new IllegalArgumentException("url must start with ldap:// or ldaps://: " + url);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
        }
        if (disabledAttribute == null || disabledAttribute.isBlank()) {
            disabledAttribute = DEFAULT_DISABLED_ATTRIBUTE;
        }
    }

    /** Plain connection, default pool size, {@code ieAccountDisabled}, no TLS options. */
    public static DirectoryUsersConfiguration of(String url, String bindDn, String bindPassword, String suffix) {
        return new DirectoryUsersConfiguration(url, bindDn, bindPassword, suffix, DEFAULT_POOL_SIZE, false, false,
            DEFAULT_DISABLED_ATTRIBUTE);
    }

    /** The embedded server, over its plain LDAP listener on the loopback address. */
    public static DirectoryUsersConfiguration forEmbedded(EmbeddedDirectoryServer server, String adminPassword) {
        return of(server.ldapUrl(), EmbeddedDirectoryServer.ADMIN_DN, adminPassword, server.configuration().suffix());
    }

    public DirectoryUsersConfiguration withUrl(String newUrl) {
        return new DirectoryUsersConfiguration(newUrl, bindDn, bindPassword, suffix, poolSize, startTls,
            trustAllCertificates, disabledAttribute);
    }

    public DirectoryUsersConfiguration withTls(boolean newStartTls, boolean newTrustAll) {
        return new DirectoryUsersConfiguration(url, bindDn, bindPassword, suffix, poolSize, newStartTls, newTrustAll,
            disabledAttribute);
    }

    @Override
    public String toString() {
        return "DirectoryUsersConfiguration{url=" + url + ", bindDn=" + bindDn + ", suffix=" + suffix
            + ", poolSize=" + poolSize + ", startTls=" + startTls + ", trustAllCertificates=" + trustAllCertificates
            + ", disabledAttribute=" + disabledAttribute + "}";
    }
}
