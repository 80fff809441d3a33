package org.switchboard.directory.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.RoutingStatistics.ChangeTracking;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.PersistentSearchRequestControl;

/**
 * {@link DirectoryRouting} over LDAP (UnboundID SDK): lookups answered from a {@link LookupCache} kept fresh by a
 * {@link PersistentSearchWatcher}, aliases from the table an {@link AliasTableUpdater} keeps.
 *
 * <h2>Lookups</h2>
 * One search per address not in the cache, {@code (|(mail=<address>)(ieMailAlias=<address>))} (escaped) in the
 * whole subtree of the suffix, so any entry with a {@code mail} ({@code ieperson}, {@code ielist},
 * {@code iemessagestoreshared}, ...) is found by its address or its aliases in one round trip, case-insensitively
 * (the schema's matching); {@link #lookupAll} puts up to {@value #LOOKUP_BATCH} addresses in one search. The rules are the alias table's: an entry whose own {@code mail} is the address wins; an
 * address that is the mail of several entries or the alias of several entries designates none (WARN, once). Values
 * that do not parse go to {@link DirectoryEntry#invalidValues()} and are logged at WARN once. Lookups do not read
 * the alias table: they see a new alias as soon as the directory has it (within negativeTtl without notifications).
 * A directory that does not answer is a {@link DirectoryUnavailableException}, never an empty answer; answers
 * already cached are still served within their bounds.
 *
 * <h2>Changes</h2>
 * Each change the persistent search reports voids the cached answers it can affect (see {@link LookupCache}); a
 * change of an entry without {@code mail} that is deleted or renamed (a branch: its subtree moved) drops everything.
 * The alias table is rebuilt when a change can affect it (see {@link AliasTableUpdater#concerns}). When changes may
 * have been missed (the persistent search was reopened), everything cached is dropped and the table rebuilt. Without
 * persistent search (switched off, or not supported by the server), answers are bounded by their staleness and the
 * table by its periodic rebuild, every {@code aliasTableRefresh}; that period also probes the persistent search's
 * connection.
 *
 * <p>The pool belongs to the caller: {@link #close()} stops the threads and gives the connection back, and does not
 * close the pool. The pool's account must be able to read every entry below the suffix (the administrator).
 */
public final class LdapDirectoryRouting implements DirectoryRouting, AutoCloseable {
    public static final String PERSISTENT_SEARCH_OID = PersistentSearchRequestControl.PERSISTENT_SEARCH_REQUEST_OID;
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapDirectoryRouting.class);
    private static final int LOOKUP_SIZE_LIMIT = 16;
    /** Addresses {@link #lookupAll} asks in one search (two equality terms each). */
    public static final int LOOKUP_BATCH = 200;
    private static final long MAINTENANCE_MILLIS = 5_000;

    private final LDAPConnectionPool pool;
    private final String suffix;
    private final RoutingSettings settings;
    private final OnceLog onceLog = new OnceLog(LOGGER);
    private final LookupCache cache;
    private final AliasTableUpdater aliasTable;
    private final ScheduledExecutorService scheduler;
    private final PersistentSearchWatcher changeWatcher; // null: persistent search off
    private volatile boolean closed;

    private final LongAdder lookups = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder negativeCacheHits = new LongAdder();
    private final LongAdder directoryReads = new LongAdder();
    private final LongAdder directoryErrors = new LongAdder();

    /**
     * Builds the alias table (a failure is logged, and retried at each refresh), opens the persistent search when
     * enabled and starts the periodic rebuild.
     *
     * @param pool     connections bound as an account that may read everything below the suffix; at least two
     *                 when persistent search is enabled (one is kept for it)
     * @param suffix   base DN of the search, e.g. {@code dc=example,dc=com}
     * @param settings staleness bounds and cache size
     */
    public LdapDirectoryRouting(LDAPConnectionPool pool, String suffix, RoutingSettings settings) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(suffix, "suffix");
        try {
            this.suffix = new DN(suffix).toString();
        } catch (LDAPException e) {
            throw new IllegalArgumentException("suffix '" + suffix + "' is not a DN: " + e.getMessage(), e);
        }
        if (settings.persistentSearch() && pool.getMaximumAvailableConnections() < 2) {
            throw new IllegalArgumentException("The connection pool has " + pool.getMaximumAvailableConnections()
                + " connection(s): persistent search keeps one, lookups need at least one more");
        }
        this.cache = new LookupCache(settings);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "directory-routing-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        this.aliasTable = new AliasTableUpdater(pool, this.suffix, settings, scheduler, onceLog, directoryErrors);
        try {
            aliasTable.build("start");
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Directory routing: alias table not built at start, retried every {}: {}",
                settings.aliasTableRefresh(), e.getMessage());
        }
        long refresh = settings.aliasTableRefresh().toMillis();
        scheduler.scheduleWithFixedDelay(this::periodicRefresh, refresh, refresh, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(cache::forgetOldChanges, MAINTENANCE_MILLIS, MAINTENANCE_MILLIS,
            TimeUnit.MILLISECONDS);
        if (settings.persistentSearch()) {
            changeWatcher = new PersistentSearchWatcher(pool, this.suffix, settings, onceLog, new ChangeApplier());
            changeWatcher.start();
        } else {
            changeWatcher = null;
            LOGGER.info("Directory routing: change notifications off (persistentSearch=false): answers are at most {}"
                + " old ({} for unknown addresses), the alias table is rebuilt every {}", settings.maxStaleness(),
                settings.negativeTtl(), settings.aliasTableRefresh());
        }
    }

    public RoutingSettings settings() {
        return settings;
    }

    @Override
    public Optional<DirectoryEntry> lookup(MailAddress address) throws DirectoryUnavailableException {
        Objects.requireNonNull(address, "address");
        checkOpen();
        String key = EntryReader.key(address.asString());
        Optional<LookupCache.Answer> cached = fromCache(key);
        if (cached.isPresent()) {
            return cached.get().entry();
        }
        LookupCache.ReadStart start = cache.readStarts();
        EntryReader.Resolution resolution = read(address, key);
        lookups.increment();
        cache.keep(key, resolution, start);
        return resolution.entry();
    }

    /**
     * The addresses not in the cache are read {@value #LOOKUP_BATCH} at a time, each batch with one search
     * {@code (|(mail=a1)(ieMailAlias=a1)(mail=a2)...)}; each answer is the one {@link #lookup} would give, and is
     * cached the same way.
     */
    @Override
    public Map<MailAddress, Optional<DirectoryEntry>> lookupAll(Collection<MailAddress> addresses)
        throws DirectoryUnavailableException {
        Objects.requireNonNull(addresses, "addresses");
        checkOpen();
        Map<MailAddress, Optional<DirectoryEntry>> answers = new HashMap<>();
        // by key: addresses spelled in other cases share one read
        Map<String, List<MailAddress>> unread = new LinkedHashMap<>();
        for (MailAddress address : addresses) {
            String key = EntryReader.key(address.asString());
            List<MailAddress> waiting = unread.get(key);
            if (waiting != null) {
                waiting.add(address);
            } else if (!answers.containsKey(address)) {
                Optional<LookupCache.Answer> cached = fromCache(key);
                if (cached.isPresent()) {
                    answers.put(address, cached.get().entry());
                } else {
                    unread.computeIfAbsent(key, k -> new ArrayList<>()).add(address);
                }
            }
        }
        List<String> keys = new ArrayList<>(unread.keySet());
        for (int from = 0; from < keys.size(); from += LOOKUP_BATCH) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + LOOKUP_BATCH));
            LookupCache.ReadStart start = cache.readStarts();
            Map<String, EntryReader.Resolution> resolutions = readBatch(batch, unread);
            for (String key : batch) {
                EntryReader.Resolution resolution = resolutions.get(key);
                lookups.increment();
                cache.keep(key, resolution, start);
                unread.get(key).forEach(address -> answers.put(address, resolution.entry()));
            }
        }
        return answers;
    }

    /** The cached answer for the key, counted as a lookup answered from the cache. */
    private Optional<LookupCache.Answer> fromCache(String key) {
        Optional<LookupCache.Answer> cached = cache.current(key);
        cached.ifPresent(answer -> {
            lookups.increment();
            cacheHits.increment();
            if (answer.entry().isEmpty()) {
                negativeCacheHits.increment();
            }
        });
        return cached;
    }

    @Override
    public Optional<MailAddress> aliasOwner(MailAddress address) throws DirectoryUnavailableException {
        Objects.requireNonNull(address, "address");
        checkOpen();
        return aliasTable.owner(EntryReader.key(address.asString()));
    }

    @Override
    public int rebuildAliasTable() throws DirectoryUnavailableException {
        checkOpen();
        AliasTable table = aliasTable.build("on demand");
        invalidateAll();
        return table.owners().size();
    }

    @Override
    public void invalidateAll() {
        cache.invalidateAll();
    }

    @Override
    public RoutingStatistics statistics() {
        AliasTable table = aliasTable.current();
        return new RoutingStatistics(lookups.sum(), cacheHits.sum(), negativeCacheHits.sum(), directoryReads.sum(),
            directoryErrors.sum(), changeWatcher == null ? 0 : changeWatcher.notifications(), cache.invalidations(),
            table == null ? 0 : table.owners().size(), aliasTable.builds(),
            table == null ? -1 : (System.nanoTime() - table.builtAtNanos()) / 1_000_000, changeTracking());
    }

    /** Stops the threads and gives the persistent search's connection back to the pool (which stays open). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        aliasTable.close();
        scheduler.shutdownNow();
        if (changeWatcher != null) {
            changeWatcher.close();
        }
        cache.invalidateAll();
    }

    private ChangeTracking changeTracking() {
        if (closed) {
            return ChangeTracking.CLOSED;
        }
        return changeWatcher == null ? ChangeTracking.BOUNDED_STALENESS : changeWatcher.tracking();
    }

    private EntryReader.Resolution read(MailAddress address, String key) throws DirectoryUnavailableException {
        // more than LOOKUP_SIZE_LIMIT entries: ambiguous in any case, decided on the ones that came
        List<SearchResultEntry> found = search(List.of(address), LOOKUP_SIZE_LIMIT).entries();
        List<EntryReader.Read> reads = new ArrayList<>(found.size());
        for (SearchResultEntry entry : found) {
            reads.add(readEntry(entry));
        }
        return EntryReader.resolve(key, reads, onceLog::warn);
    }

    /**
     * One search for the batch's keys ({@code unread}: the addresses of each key); each key resolved from the entries
     * whose addresses include it. A batch whose answer exceeds its size limit holds an address claimed by many
     * entries: its keys are then read one by one, as {@link #lookup} does.
     */
    private Map<String, EntryReader.Resolution> readBatch(List<String> batch, Map<String, List<MailAddress>> unread)
        throws DirectoryUnavailableException {
        List<MailAddress> addresses = batch.stream().map(key -> unread.get(key).get(0)).toList();
        Map<String, EntryReader.Resolution> resolutions = new HashMap<>();
        Found found = search(addresses, LOOKUP_SIZE_LIMIT * batch.size());
        if (!found.complete()) {
            for (int i = 0; i < batch.size(); i++) {
                resolutions.put(batch.get(i), read(addresses.get(i), batch.get(i)));
            }
            return resolutions;
        }
        Map<String, List<EntryReader.Read>> candidates = new HashMap<>();
        batch.forEach(key -> candidates.put(key, new ArrayList<>()));
        for (SearchResultEntry entry : found.entries()) {
            EntryReader.Read read = readEntry(entry);
            Set<String> keys = new LinkedHashSet<>(read.mailKeys());
            keys.addAll(read.aliasKeys());
            for (String key : keys) {
                List<EntryReader.Read> reads = candidates.get(key);
                if (reads != null) {
                    reads.add(read);
                }
            }
        }
        candidates.forEach((key, reads) -> resolutions.put(key, EntryReader.resolve(key, reads, onceLog::warn)));
        return resolutions;
    }

    /** The entries whose {@code mail} or {@code ieMailAlias} is one of the addresses, at most {@code sizeLimit}. */
    private Found search(List<MailAddress> addresses, int sizeLimit) throws DirectoryUnavailableException {
        Filter[] terms = new Filter[2 * addresses.size()];
        for (int i = 0; i < addresses.size(); i++) {
            terms[2 * i] = Filter.createEqualityFilter(EntryReader.MAIL, addresses.get(i).asString());
            terms[2 * i + 1] = Filter.createEqualityFilter(EntryReader.ALIAS, addresses.get(i).asString());
        }
        SearchRequest request = new SearchRequest(suffix, SearchScope.SUB, Filter.createORFilter(terms),
            EntryReader.ATTRIBUTES);
        request.setSizeLimit(sizeLimit);
        directoryReads.increment();
        try {
            return new Found(pool.search(request).getSearchEntries(), true);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw unavailable("look up " + (addresses.size() == 1 ? addresses.get(0).asString()
                    : addresses.size() + " addresses"), e, directoryErrors);
            }
            return new Found(e.getSearchEntries(), false);
        }
    }

    /** What a search returned; not complete: the size limit cut it short. */
    private record Found(List<SearchResultEntry> entries, boolean complete) {
    }

    private EntryReader.Read readEntry(SearchResultEntry entry) {
        EntryReader.Read read = EntryReader.read(entry);
        read.problems().forEach(problem -> warnIgnoredValue(onceLog, read, problem));
        return read;
    }

    private void periodicRefresh() {
        aliasTable.rebuildQuietly("periodic");
        if (changeWatcher != null) {
            changeWatcher.probe();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The directory routing service is closed");
        }
    }

    /** The directory did not answer: counted, and reported with LDAP's result code and diagnostic. */
    static DirectoryUnavailableException unavailable(String what, LDAPException e, LongAdder directoryErrors) {
        directoryErrors.increment();
        return new DirectoryUnavailableException("Directory: cannot " + what + ": " + e.getResultCode() + " "
            + Optional.ofNullable(e.getDiagnosticMessage()).orElse(e.getMessage()), e);
    }

    /** A value of an entry that does not parse: WARN once per entry and value. */
    static void warnIgnoredValue(OnceLog onceLog, EntryReader.Read read, String problem) {
        onceLog.warn("value:" + read.normalizedDn() + ":" + problem,
            "Directory: entry " + read.dn() + ": ignored value " + problem);
    }

    /** Applies what the persistent search reports to the cache and the alias table. */
    private final class ChangeApplier implements PersistentSearchWatcher.Listener {
        @Override
        public void changed(DirectoryChange change) {
            if (change.isBranch()) {
                // the entries below it are not reported one by one
                changesMissed();
                return;
            }
            cache.changed(change.normalizedDn(), change.previousDn(), change.keys());
            if (aliasTable.concerns(change.normalizedDn(), change.previousDn(), change.keys(), change.aliasKeys())) {
                aliasTable.requestRebuild();
            }
        }

        @Override
        public void changesMissed() {
            cache.invalidateAllAfterGap();
            aliasTable.requestRebuild();
        }
    }
}
