package org.switchboard.directory.routing;

/**
 * Counters of a {@link DirectoryRouting}, since it started.
 *
 * @param lookups             lookups answered (errors excluded)
 * @param cacheHits           of which from the cache
 * @param negativeCacheHits   of which cached "no such address" answers
 * @param directoryReads      LDAP searches made for lookups
 * @param directoryErrors     lookups and alias table builds that failed because the directory did not answer
 * @param changeNotifications changes the directory reported (persistent search)
 * @param invalidations       cached answers dropped because a reported change concerned them, or because change
 *                            notifications were interrupted (then every answer is dropped)
 * @param aliases             aliases in the current alias table
 * @param aliasTableBuilds    times the alias table was built
 * @param aliasTableAgeMillis time since the alias table was last built; -1 before the first build
 * @param changeTracking      how changes reach the cache now
 */
public record RoutingStatistics(long lookups, long cacheHits, long negativeCacheHits, long directoryReads,
                                long directoryErrors, long changeNotifications, long invalidations, int aliases,
                                long aliasTableBuilds, long aliasTableAgeMillis, ChangeTracking changeTracking) {

    /** How directory changes reach the cache. */
    public enum ChangeTracking {
        /** A persistent search is open: changes drop the cached answers they concern within milliseconds. */
        PERSISTENT_SEARCH,
        /** The persistent search is being (re)opened; answers are bounded by maxStaleness meanwhile. */
        CONNECTING,
        /**
         * No persistent search (switched off, or the server does not support it): answers are bounded by
         * maxStaleness / negativeTtl and the alias table by its periodic rebuild.
         */
        BOUNDED_STALENESS,
        /** Closed. */
        CLOSED
    }
}
