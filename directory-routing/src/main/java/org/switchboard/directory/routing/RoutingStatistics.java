package org.switchboard.directory.routing;

/**
 * Counters of a {@link DirectoryRouting}.
 *
 * @param lookups       lookups answered
 * @param cacheHits     of which from the cache
 * @param directoryReads LDAP searches made for lookups
 * @param invalidations entries dropped because the directory reported a change
 * @param aliases       aliases in the current alias table
 * @param aliasTableAgeMillis time since the alias table was last built
 */
public record RoutingStatistics(long lookups, long cacheHits, long directoryReads, long invalidations, int aliases,
                                long aliasTableAgeMillis) {
}
