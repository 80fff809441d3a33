package org.switchboard.server.directory;

/** JMX operations on the directory routing service ({@value DirectoryRoutingManagement#OBJECT_NAME}). */
public interface DirectoryRoutingManagementMBean {

    /** Build Alias Table: reads every alias of the directory again; returns how many the table holds. */
    int buildAliasTable() throws Exception;

    /** Drops every cached directory answer. */
    void invalidateCache();

    /** Lookups, cache hits, directory reads, invalidations, aliases, alias table age. */
    String getStatistics();
}
