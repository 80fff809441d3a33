package org.switchboard.server.persistence;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.rrt.lib.MappingsImpl;

/**
 * James' JPA recipient rewrite table, answering the per-recipient lookup of every delivered mail from memory.
 *
 * <p>{@code RecipientRewriteTable} in the pipeline asks the table for each recipient of each mail: two SQL queries
 * per recipient on the JPA table, almost always for an address with no mapping (a post to a list of 10,000 new
 * members paid 20,000 queries). The table, small next to the addresses it is asked about, is read whole instead and
 * answered as the JPA table answers (the source's own mappings, else its domain's). It is read again after every
 * change that goes through {@link #addMapping} / {@link #removeMapping} (James' CLI, WebAdmin and the helper methods
 * for aliases, forwards and regex mappings all end there); the expiry is a bound for changes made to the database
 * behind the server's back.
 */
public class CachedRecipientRewriteTable extends JPARecipientRewriteTable {
    private static final long EXPIRY_NANOS = Duration.ofMinutes(10).toNanos();

    private record Snapshot(Map<String, Mappings> bySource, long readAtNanos) {
    }

    private volatile Snapshot snapshot;
    /** Counts the changes: a table read while one was made is used once, not kept (it may miss the change). */
    private final AtomicLong changes = new AtomicLong();

    @Override
    protected Mappings mapAddress(String user, Domain domain) throws RecipientRewriteTableException {
        Map<String, Mappings> table = current().bySource();
        Mappings userMappings = table.get(key(MappingSource.fromUser(user, domain)));
        if (userMappings != null && !userMappings.isEmpty()) {
            return userMappings;
        }
        Mappings domainMappings = table.get(key(MappingSource.fromDomain(domain)));
        if (domainMappings != null && !domainMappings.isEmpty()) {
            return domainMappings;
        }
        return MappingsImpl.empty();
    }

    private Snapshot current() throws RecipientRewriteTableException {
        Snapshot known = snapshot;
        if (known != null && System.nanoTime() - known.readAtNanos() < EXPIRY_NANOS) {
            return known;
        }
        long readAt = System.nanoTime();
        long changesBefore = changes.get();
        Map<String, Mappings> bySource = new HashMap<>();
        getAllMappings().forEach((source, mappings) -> bySource.put(key(source), mappings));
        Snapshot read = new Snapshot(Map.copyOf(bySource), readAt);
        if (changes.get() == changesBefore) {
            snapshot = read;
        }
        return read;
    }

    /** The source as the JPA table stores and queries it: its fixed user and domain ("*" for any). */
    private static String key(MappingSource source) {
        return source.getFixedUser() + "@" + source.getFixedDomain();
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.addMapping(source, mapping);
        } finally {
            changes.incrementAndGet();
            snapshot = null;
        }
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.removeMapping(source, mapping);
        } finally {
            changes.incrementAndGet();
            snapshot = null;
        }
    }
}
