package org.switchboard.directory.routing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * What the mail pipeline asks the directory, per address: the entry, its {@code othermailbox} routes, its
 * {@code x-permission} per channel and its aliases. Answers come from a cache whose staleness is bounded and which
 * is invalidated when the directory reports a change; a directory that cannot be reached is an error
 * ({@link DirectoryUnavailableException}), never an empty answer, so mail is held rather than misrouted.
 */
public interface DirectoryRouting {

    /**
     * The entry whose {@code mail} is the address, or the owner of the alias when the address is an alias
     * ({@code ieMailAlias}) of an entry; empty when the directory knows neither.
     */
    Optional<DirectoryEntry> lookup(MailAddress address) throws DirectoryUnavailableException;

    /**
     * {@link #lookup} for each address, in one answer whose keys are the addresses: a directory read for many
     * addresses at once (a list post names thousands) costs one round trip per batch instead of one per address.
     * This default asks them one by one.
     */
    default Map<MailAddress, Optional<DirectoryEntry>> lookupAll(Collection<MailAddress> addresses)
        throws DirectoryUnavailableException {
        Map<MailAddress, Optional<DirectoryEntry>> answers = new LinkedHashMap<>();
        for (MailAddress address : addresses) {
            if (!answers.containsKey(address)) {
                answers.put(address, lookup(address));
            }
        }
        return answers;
    }

    /** The owner's address when the address is an alias in the alias table; empty otherwise. */
    Optional<MailAddress> aliasOwner(MailAddress address) throws DirectoryUnavailableException;

    /**
     * Build Alias Table: reads every alias of the directory again and replaces the alias table, then drops the
     * entry cache. Returns the number of aliases in the new table.
     */
    int rebuildAliasTable() throws DirectoryUnavailableException;

    /** Drops every cached answer; the next lookups read the directory. */
    void invalidateAll();

    /** Counters for JMX and benchmarks. */
    RoutingStatistics statistics();
}
