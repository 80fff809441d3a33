package org.switchboard.server.persistence;

import java.time.Duration;
import java.util.Objects;

import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.jpa.JPARecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * James' JPA recipient rewrite table, answering the per-recipient lookup of every delivered mail from memory.
 *
 * <p>{@code RecipientRewriteTable} in the pipeline asks the table for each recipient of each mail: two SQL queries
 * per recipient on the JPA table, almost always for an address with no mapping. The answers are kept until a
 * mapping changes: every change goes through {@link #addMapping} / {@link #removeMapping} (James' CLI, WebAdmin
 * and the helper methods for aliases, forwards and regex mappings all end there), which empties the cache. The
 * expiry is a bound for changes made to the database behind the server's back.
 */
public class CachedRecipientRewriteTable extends JPARecipientRewriteTable {
    private static final Duration EXPIRY = Duration.ofMinutes(10);

    private final Cache<Address, Mappings> lookups = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(EXPIRY)
        .build();

    @Override
    protected Mappings mapAddress(String user, Domain domain) throws RecipientRewriteTableException {
        Address address = new Address(user, domain);
        Mappings known = lookups.getIfPresent(address);
        if (known != null) {
            return known;
        }
        Mappings mappings = super.mapAddress(user, domain);
        lookups.put(address, mappings);
        return mappings;
    }

    @Override
    public void addMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.addMapping(source, mapping);
        } finally {
            lookups.invalidateAll();
        }
    }

    @Override
    public void removeMapping(MappingSource source, Mapping mapping) throws RecipientRewriteTableException {
        try {
            super.removeMapping(source, mapping);
        } finally {
            lookups.invalidateAll();
        }
    }

    private record Address(String user, Domain domain) {
        Address {
            Objects.requireNonNull(user);
            Objects.requireNonNull(domain);
        }
    }
}
