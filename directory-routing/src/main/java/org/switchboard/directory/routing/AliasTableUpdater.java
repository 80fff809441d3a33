package org.switchboard.directory.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

/**
 * Keeps the {@link AliasTable} of {@link LdapDirectoryRouting} current: builds it from the directory (a paged read
 * of the entries that have aliases, then batched searches for the entries whose {@code mail} is a claimed alias),
 * and rebuilds it in full when asked, coalescing a burst of requests into one rebuild {@value #REBUILD_DELAY_MILLIS}
 * ms later, never two at once. A full rebuild rather than an incremental update keeps the conflict rules in one
 * place and needs no previous values.
 */
final class AliasTableUpdater {
    static final long REBUILD_DELAY_MILLIS = 200;
    private static final Logger LOGGER = LoggerFactory.getLogger(AliasTableUpdater.class);
    private static final int PAGE_SIZE = 500;
    private static final int OR_BATCH = 100;
    private static final String OUTAGE = "alias-table";

    private final LDAPConnectionPool pool;
    private final String suffix;
    private final RoutingSettings settings;
    private final ScheduledExecutorService scheduler;
    private final OnceLog onceLog;
    private final LongAdder directoryErrors;
    private final LongAdder builds = new LongAdder();
    private final ReentrantLock buildLock = new ReentrantLock();
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private volatile AliasTable table;
    private volatile boolean lastBuildFailed;
    private volatile boolean building;
    private volatile boolean closed;

    /**
     * @param scheduler       runs the coalesced rebuilds
     * @param directoryErrors counts the builds that fail because the directory does not answer
     */
    AliasTableUpdater(LDAPConnectionPool pool, String suffix, RoutingSettings settings,
                      ScheduledExecutorService scheduler, OnceLog onceLog, LongAdder directoryErrors) {
        this.pool = pool;
        this.suffix = suffix;
        this.settings = settings;
        this.scheduler = scheduler;
        this.onceLog = onceLog;
        this.directoryErrors = directoryErrors;
    }

    /**
     * The owner of the alias, from the current table.
     *
     * @throws DirectoryUnavailableException when the table could not be built yet, or is older than maxStaleness
     *                                       and its last rebuild failed
     */
    Optional<MailAddress> owner(String aliasKey) throws DirectoryUnavailableException {
        AliasTable current = table;
        if (current == null) {
            throw new DirectoryUnavailableException("Directory: the alias table could not be built yet", null);
        }
        long ageNanos = System.nanoTime() - current.builtAtNanos();
        if (lastBuildFailed && ageNanos > settings.maxStaleness().toNanos()) {
            throw new DirectoryUnavailableException("Directory: the alias table is " + ageNanos / 1_000_000_000L
                + " s old and cannot be rebuilt (maxStaleness " + settings.maxStaleness() + ")", null);
        }
        return current.owner(aliasKey);
    }

    /** The current table; null before the first successful build. */
    AliasTable current() {
        return table;
    }

    long builds() {
        return builds.sum();
    }

    /**
     * Whether a change of the entry {@code normalizedDn} (formerly {@code previousDn}; may be null), whose mail and
     * alias keys are now {@code keys} and its alias keys {@code aliasKeys}, can change the table: it has aliases
     * now, or had them at the last build, or holds a claimed alias as its mail (or a build is under way).
     */
    boolean concerns(String normalizedDn, String previousDn, Set<String> keys, Set<String> aliasKeys) {
        AliasTable current = table;
        return current == null || building || rebuildPending.get() || !aliasKeys.isEmpty()
            || current.dependentDns().contains(normalizedDn)
            || (previousDn != null && current.dependentDns().contains(previousDn))
            || keys.stream().anyMatch(current.claimedKeys()::contains);
    }

    /** Reads every alias of the directory now and replaces the table. */
    AliasTable build(String why) throws DirectoryUnavailableException {
        buildLock.lock();
        building = true;
        try {
            long begin = System.nanoTime();
            List<AliasTable.Claim> claims;
            List<AliasTable.MailHolder> holders;
            try {
                claims = readClaims();
                holders = readMailHolders(claims);
            } catch (LDAPException e) {
                lastBuildFailed = true;
                throw LdapDirectoryRouting.unavailable("build the alias table", e, directoryErrors);
            }
            AliasTable built = AliasTable.resolve(claims, holders, begin, onceLog::warn);
            AliasTable previous = table;
            table = built;
            lastBuildFailed = false;
            builds.increment();
            long millis = (System.nanoTime() - begin) / 1_000_000;
            if (previous == null || previous.owners().size() != built.owners().size()) {
                LOGGER.info("Directory routing: alias table built ({}): {} aliases, {} ambiguous and {} equal to an"
                    + " entry's mail left out, in {} ms", why, built.owners().size(), built.ambiguous(),
                    built.conflicting(), millis);
            } else {
                LOGGER.debug("Directory routing: alias table rebuilt ({}): {} aliases in {} ms", why,
                    built.owners().size(), millis);
            }
            return built;
        } finally {
            building = false;
            buildLock.unlock();
        }
    }

    /** Asks for a rebuild {@value #REBUILD_DELAY_MILLIS} ms from now, unless one is already pending. */
    void requestRebuild() {
        if (closed || !rebuildPending.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                rebuildPending.set(false);
                rebuildQuietly("directory change");
            }, REBUILD_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // rejected: closing
            rebuildPending.set(false);
        }
    }

    /** Rebuilds the table; a failure is logged once per outage and the table kept. */
    void rebuildQuietly(String why) {
        if (closed) {
            return;
        }
        try {
            build(why);
            if (onceLog.endOutage(OUTAGE)) {
                LOGGER.info("Directory routing: alias table rebuilt again");
            }
        } catch (DirectoryUnavailableException e) {
            if (closed) {
                return; // interrupted by close()
            }
            if (onceLog.startOutage(OUTAGE)) {
                LOGGER.warn("Directory routing: alias table not rebuilt, retried every {}: {}",
                    settings.aliasTableRefresh(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOGGER.error("Directory routing: alias table rebuild failed", e);
        }
    }

    /** No rebuild from now on (the scheduler is its owner's to stop). */
    void close() {
        closed = true;
    }

    /** Every {@code ieMailAlias} value below the suffix, with the simple paged results control on one connection. */
    private List<AliasTable.Claim> readClaims() throws LDAPException {
        List<AliasTable.Claim> claims = new ArrayList<>();
        LDAPConnection connection = pool.getConnection();
        boolean healthy = true;
        try {
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest(suffix, SearchScope.SUB,
                    Filter.createPresenceFilter(EntryReader.ALIAS), EntryReader.MAIL, EntryReader.ALIAS);
                request.setControls(new SimplePagedResultsControl(PAGE_SIZE, cookie));
                SearchResult result = connection.search(request);
                for (SearchResultEntry entry : result.getSearchEntries()) {
                    addClaims(EntryReader.read(entry), claims);
                }
                SimplePagedResultsControl response = SimplePagedResultsControl.get(result);
                cookie = response == null || !response.moreResultsToReturn() ? null : response.getCookie();
            } while (cookie != null);
            return claims;
        } catch (LDAPException e) {
            healthy = e.getResultCode().isConnectionUsable();
            throw e;
        } finally {
            if (healthy) {
                pool.releaseConnection(connection);
            } else {
                pool.releaseDefunctConnection(connection);
            }
        }
    }

    private void addClaims(EntryReader.Read read, List<AliasTable.Claim> claims) {
        if (read.entry().isEmpty()) {
            onceLog.warn("unusable:" + read.normalizedDn(), "Directory: entry " + read.dn()
                + " has aliases but no usable mail value: its aliases are left out " + read.problems());
            return;
        }
        MailAddress owner = read.entry().get().mail();
        for (String problem : read.problems()) {
            if (problem.startsWith(EntryReader.ALIAS)) {
                LdapDirectoryRouting.warnIgnoredValue(onceLog, read, problem);
            }
        }
        for (MailAddress alias : read.entry().get().aliases()) {
            claims.add(new AliasTable.Claim(EntryReader.key(alias.asString()), read.normalizedDn(), read.dn(), owner));
        }
    }

    /** Entries whose {@code mail} is a claimed alias, found with OR filters of {@value #OR_BATCH} values. */
    private List<AliasTable.MailHolder> readMailHolders(List<AliasTable.Claim> claims) throws LDAPException {
        Set<String> keys = new LinkedHashSet<>();
        claims.forEach(claim -> keys.add(claim.aliasKey()));
        List<AliasTable.MailHolder> holders = new ArrayList<>();
        List<String> batch = new ArrayList<>(OR_BATCH);
        for (String key : keys) {
            batch.add(key);
            if (batch.size() == OR_BATCH) {
                readMailHolders(batch, keys, holders);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            readMailHolders(batch, keys, holders);
        }
        return holders;
    }

    private void readMailHolders(List<String> batch, Set<String> keys, List<AliasTable.MailHolder> holders)
        throws LDAPException {
        Filter[] terms = batch.stream().map(key -> Filter.createEqualityFilter(EntryReader.MAIL, key))
            .toArray(Filter[]::new);
        SearchResult result = pool.search(new SearchRequest(suffix, SearchScope.SUB, Filter.createORFilter(terms),
            EntryReader.MAIL));
        for (SearchResultEntry entry : result.getSearchEntries()) {
            String normalizedDn = EntryReader.normalizedDn(entry.getDN());
            for (String mail : EntryReader.values(entry, EntryReader.MAIL)) {
                String key = EntryReader.key(mail);
                if (keys.contains(key)) {
                    holders.add(new AliasTable.MailHolder(key, normalizedDn, entry.getDN()));
                }
            }
        }
    }
}
