package org.switchboard.directory.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How long {@link LdapDirectoryRouting} may answer from memory.
 *
 * @param maxStaleness      longest time a positive answer (an entry) is served from the cache without reading the
 *                          directory again: the bound on staleness when no change notification arrives (default
 *                          30 s; at least 100 ms, at most 1 day)
 * @param negativeTtl       the same for "no such address" (default 5 s; 0 = not cached; at most maxStaleness), so
 *                          that an address added with {@code ldapadd} is seen within seconds even without
 *                          change notifications
 * @param cacheSize         most addresses kept (default 100,000; 0 = no cache, every lookup reads the directory)
 * @param aliasTableRefresh period of the full alias table rebuild, which runs besides the rebuilds that change
 *                          notifications trigger (default: maxStaleness; at least 100 ms, at most 1 day)
 * @param persistentSearch  listen to directory changes with a persistent search when the server supports it
 *                          (default true); false: bounded staleness and periodic alias table rebuilds only
 */
public record RoutingSettings(Duration maxStaleness, Duration negativeTtl, int cacheSize, Duration aliasTableRefresh,
                              boolean persistentSearch) {
    public static final Duration DEFAULT_MAX_STALENESS = Duration.ofSeconds(30);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_CACHE_SIZE = 100_000;
    static final Duration MINIMUM_PERIOD = Duration.ofMillis(100);
    static final Duration MAXIMUM_PERIOD = Duration.ofDays(1);
    static final int MAXIMUM_CACHE_SIZE = 100_000_000;

    /** Validates every setting and reports all problems at once, each naming its setting. */
    public RoutingSettings {
        List<String> errors = new ArrayList<>();
        if (maxStaleness == null) {
            errors.add("maxStaleness is required");
        } else if (maxStaleness.compareTo(MINIMUM_PERIOD) < 0 || maxStaleness.compareTo(MAXIMUM_PERIOD) > 0) {
            errors.add("maxStaleness " + maxStaleness + " must be between 100 ms and 1 day");
        }
        if (negativeTtl == null) {
            errors.add("negativeTtl is required");
        } else if (negativeTtl.isNegative()) {
            errors.add("negativeTtl " + negativeTtl + " must not be negative (0: answers 'unknown' are not cached)");
        } else if (maxStaleness != null && negativeTtl.compareTo(maxStaleness) > 0) {
            errors.add("negativeTtl " + negativeTtl + " must not exceed maxStaleness " + maxStaleness);
        }
        if (cacheSize < 0 || cacheSize > MAXIMUM_CACHE_SIZE) {
            errors.add("cacheSize " + cacheSize + " must be between 0 (no cache) and " + MAXIMUM_CACHE_SIZE);
        }
        if (aliasTableRefresh == null) {
            errors.add("aliasTableRefresh is required");
        } else if (aliasTableRefresh.compareTo(MINIMUM_PERIOD) < 0
            || aliasTableRefresh.compareTo(MAXIMUM_PERIOD) > 0) {
            errors.add("aliasTableRefresh " + aliasTableRefresh + " must be between 100 ms and 1 day");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid directory routing settings: " + String.join("; ", errors));
        }
    }

    /** 30 s, 5 s, 100,000 entries, alias table every 30 s, persistent search on. */
    public static RoutingSettings defaults() {
        return new RoutingSettings(DEFAULT_MAX_STALENESS, DEFAULT_NEGATIVE_TTL, DEFAULT_CACHE_SIZE,
            DEFAULT_MAX_STALENESS, true);
    }

    /** The defaults with this staleness bound, and the alias table rebuilt as often. */
    public static RoutingSettings ofMaxStaleness(Duration maxStaleness) {
        return new RoutingSettings(maxStaleness, min(DEFAULT_NEGATIVE_TTL, maxStaleness), DEFAULT_CACHE_SIZE,
            maxStaleness, true);
    }

    public RoutingSettings withNegativeTtl(Duration newNegativeTtl) {
        return new RoutingSettings(maxStaleness, newNegativeTtl, cacheSize, aliasTableRefresh, persistentSearch);
    }

    public RoutingSettings withCacheSize(int newCacheSize) {
        return new RoutingSettings(maxStaleness, negativeTtl, newCacheSize, aliasTableRefresh, persistentSearch);
    }

    public RoutingSettings withAliasTableRefresh(Duration newAliasTableRefresh) {
        return new RoutingSettings(maxStaleness, negativeTtl, cacheSize, newAliasTableRefresh, persistentSearch);
    }

    public RoutingSettings withPersistentSearch(boolean newPersistentSearch) {
        return new RoutingSettings(maxStaleness, negativeTtl, cacheSize, aliasTableRefresh, newPersistentSearch);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
