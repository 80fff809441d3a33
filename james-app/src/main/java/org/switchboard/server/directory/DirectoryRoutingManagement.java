package org.switchboard.server.directory;

import javax.inject.Inject;


import org.apache.james.lifecycle.api.Startable;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.directory.routing.RoutingStatistics;

/** The routing service's JMX face, used by {@code james-cli BuildAliasTable} and {@code DirectoryStatistics}. */
public class DirectoryRoutingManagement implements DirectoryRoutingManagementMBean, Startable {
    public static final String OBJECT_NAME = "org.switchboard:type=component,name=directoryrouting";

    private final DirectoryRouting routing;

    @Inject
    public DirectoryRoutingManagement(DirectoryRouting routing) {
        this.routing = routing;
    }

    @Override
    public int buildAliasTable() throws Exception {
        try {
            return routing.rebuildAliasTable();
        } catch (DirectoryUnavailableException e) {
            // JMX clients may not have our exception classes: a plain message travels
            throw new Exception("Directory unavailable: " + e.getMessage());
        }
    }

    @Override
    public void invalidateCache() {
        routing.invalidateAll();
    }

    @Override
    public String getStatistics() {
        RoutingStatistics statistics = routing.statistics();
        return "lookups=" + statistics.lookups() + " cacheHits=" + statistics.cacheHits()
            + " negativeCacheHits=" + statistics.negativeCacheHits() + " directoryReads=" + statistics.directoryReads()
            + " directoryErrors=" + statistics.directoryErrors()
            + " changeNotifications=" + statistics.changeNotifications()
            + " invalidations=" + statistics.invalidations() + " aliases=" + statistics.aliases()
            + " aliasTableBuilds=" + statistics.aliasTableBuilds()
            + " aliasTableAgeMillis=" + statistics.aliasTableAgeMillis()
            + " changeTracking=" + statistics.changeTracking();
    }
}
