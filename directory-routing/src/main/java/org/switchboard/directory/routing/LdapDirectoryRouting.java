package org.switchboard.directory.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.RoutingStatistics.ChangeTracking;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.EntryChangeNotificationControl;
import com.unboundid.ldap.sdk.controls.PersistentSearchChangeType;
import com.unboundid.ldap.sdk.controls.PersistentSearchRequestControl;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

/**
 * {@link DirectoryRouting} over LDAP (UnboundID SDK), with a Caffeine cache kept fresh by a persistent search.
 *
 * <h2>Lookups</h2>
 * One search per address not in the cache, {@code (|(mail=<address>)(ieMailAlias=<address>))} (escaped) in the
 * whole subtree of the suffix, so any entry with a {@code mail} ({@code ieperson}, {@code ielist},
 * {@code iemessagestoreshared}, ...) is found by its address or its aliases in one round trip, case-insensitively
 * (the schema's matching). The rules are the alias table's: an entry whose own {@code mail} is the address wins; an
 * address that is the mail of several entries or the alias of several entries designates none (WARN, once). Values
 * that do not parse go to {@link DirectoryEntry#invalidValues()} and are logged at WARN once. Lookups do not read
 * the alias table: they see a new alias as soon as the directory has it (within negativeTtl without notifications).
 *
 * <h2>Cache and staleness</h2>
 * Entries are kept up to {@code maxStaleness}, "unknown" up to {@code negativeTtl}, both counted from the moment
 * the directory was read. A directory that does not answer is a {@link DirectoryUnavailableException}, never an
 * empty answer; answers already cached are still served within those bounds.
 *
 * <h2>Change notifications</h2>
 * A persistent search (draft-ietf-ldapext-psearch: all change types, changes only, entry change notification
 * controls) on the suffix runs on a connection taken from the pool for good (so the pool needs at least two
 * connections). Each change invalidates exactly the answers it can affect:
 * <ul>
 *   <li>answers for the changed entry's current {@code mail} and {@code ieMailAlias} values (a new address or
 *       alias makes a cached "unknown" wrong), dropped at once;</li>
 *   <li>every answer that was computed from the changed entry (its DN, or its previous DN after a rename), which
 *       covers the values it no longer has: each cached answer records the DNs of all the entries its search
 *       returned, and an answer is void when one of them changed after it was read. That also covers the
 *       entries that lost or won an ambiguity.</li>
 * </ul>
 * Invalidation is checked against a change counter, so an answer whose directory read overlapped a change is never
 * cached past it. The notification does not carry the previous values, hence the DN bookkeeping rather than
 * invalidating by value only; dropping the whole cache on every change would be simpler but turns each directory
 * write (password changes included) into a burst of reads. A change of an entry without {@code mail} that is
 * deleted or renamed (a {@code dc=}/{@code ou=} branch: its subtree moved) drops everything.
 *
 * <p>The alias table is rebuilt in full (coalesced: one rebuild {@value #REBUILD_DELAY_MILLIS} ms after a burst of
 * changes, never two at once) when a change can affect it: the entry has aliases now, or had them at the last build,
 * or holds a claimed alias as its mail. A full rebuild rather than an incremental update keeps the conflict rules in
 * one place and needs no previous values; it costs one paged read of the entries that have aliases.
 *
 * <p>When the persistent search's connection drops, it is reopened with a backoff from 0.5 s to 60 s; cached
 * answers are served within their bounds meanwhile, and all dropped once it is back (changes made in between were
 * not reported); the connection is probed at each periodic refresh so that a
 * silently dead one is noticed. A server that does not support persistent search (not in the root DSE's
 * {@code supportedControl}, or refusing the request: OpenLDAP) leaves bounded staleness only plus the periodic
 * alias table rebuild, logged once at INFO.
 *
 * <p>The pool belongs to the caller: {@link #close()} stops the threads and gives the connection back, and does not
 * close the pool. The pool's account must be able to read every entry below the suffix (the administrator).
 */
public final class LdapDirectoryRouting implements DirectoryRouting, AutoCloseable {
    public static final String PERSISTENT_SEARCH_OID = PersistentSearchRequestControl.PERSISTENT_SEARCH_REQUEST_OID;
    static final long REBUILD_DELAY_MILLIS = 200;
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapDirectoryRouting.class);
    private static final int LOOKUP_SIZE_LIMIT = 16;
    private static final int PAGE_SIZE = 500;
    private static final int OR_BATCH = 100;
    private static final long INITIAL_BACKOFF_MILLIS = 500;
    private static final long MAXIMUM_BACKOFF_MILLIS = 60_000;
    private static final long MAINTENANCE_MILLIS = 5_000;
    private static final int MAXIMUM_TRACKED_CHANGES = 200_000;
    private static final String[] CHANGE_ATTRIBUTES = {EntryReader.MAIL, EntryReader.ALIAS};
    private static final Set<ResultCode> UNSUPPORTED = Set.of(ResultCode.UNAVAILABLE_CRITICAL_EXTENSION,
        ResultCode.UNWILLING_TO_PERFORM, ResultCode.NOT_SUPPORTED, ResultCode.PROTOCOL_ERROR,
        ResultCode.INSUFFICIENT_ACCESS_RIGHTS);

    private final LDAPConnectionPool pool;
    private final String suffix;
    private final RoutingSettings settings;
    private final Cache<String, Cached> cache;
    private final OnceLog onceLog = new OnceLog(LOGGER);

    /** Counts changes; an answer read when it was n is void once a change it depends on got a number above n. */
    private final AtomicLong changeCounter = new AtomicLong();
    /** Answers read before this number are void (everything was invalidated). */
    private volatile long floor;
    /** Recent changes by token ({@code dn:<normalized DN>} or {@code key:<address>}), kept maxStaleness. */
    private final ConcurrentHashMap<String, Change> changes = new ConcurrentHashMap<>();

    private volatile AliasTable aliasTable;
    private volatile boolean lastBuildFailed;
    private final ReentrantLock buildLock = new ReentrantLock();
    private volatile boolean building;
    private final AtomicBoolean rebuildPending = new AtomicBoolean();

    private final ScheduledExecutorService scheduler;
    private final Thread changeThread;
    private volatile LDAPConnection changeConnection;
    private volatile ChangeTracking changeTracking;
    private volatile boolean closed;

    private final LongAdder lookups = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder negativeCacheHits = new LongAdder();
    private final LongAdder directoryReads = new LongAdder();
    private final LongAdder directoryErrors = new LongAdder();
    private final LongAdder changeNotifications = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder aliasTableBuilds = new LongAdder();

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
        this.cache = settings.cacheSize() == 0 ? null : Caffeine.newBuilder()
            .maximumSize(settings.cacheSize())
            .expireAfter(new StalenessExpiry(settings))
            .build();
        this.changeTracking = settings.persistentSearch() ? ChangeTracking.CONNECTING : ChangeTracking.BOUNDED_STALENESS;

        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "directory-routing-maintenance");
            thread.setDaemon(true);
            return thread;
        });
        try {
            buildAliasTable("start");
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Directory routing: alias table not built at start, retried every {}: {}",
                settings.aliasTableRefresh(), e.getMessage());
        }
        long refresh = settings.aliasTableRefresh().toMillis();
        scheduler.scheduleWithFixedDelay(this::periodicRefresh, refresh, refresh, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::forgetOldChanges, MAINTENANCE_MILLIS, MAINTENANCE_MILLIS,
            TimeUnit.MILLISECONDS);
        if (settings.persistentSearch()) {
            changeThread = new Thread(this::watchChanges, "directory-routing-changes");
            changeThread.setDaemon(true);
            changeThread.start();
        } else {
            changeThread = null;
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
        if (cache != null) {
            Cached cached = cache.getIfPresent(key);
            if (cached != null) {
                if (isCurrent(key, cached)) {
                    lookups.increment();
                    cacheHits.increment();
                    if (cached.entry().isEmpty()) {
                        negativeCacheHits.increment();
                    }
                    return cached.entry();
                }
                if (cache.asMap().remove(key, cached)) {
                    invalidations.increment();
                }
            }
        }
        long readNanos = System.nanoTime(); // before the counter: the answer expires no later than a change's token
        long readAt = changeCounter.get();
        EntryReader.Resolution resolution = read(address, key);
        lookups.increment();
        if (cache != null && (resolution.entry().isPresent() || !settings.negativeTtl().isZero())) {
            Cached fresh = new Cached(resolution.entry(), resolution.dependencies(), readAt, readNanos);
            cache.put(key, fresh);
            if (!isCurrent(key, fresh)) {
                // a change arrived while the directory was read: do not keep an answer that may predate it
                cache.asMap().remove(key, fresh);
            }
        }
        return resolution.entry();
    }

    @Override
    public Optional<MailAddress> aliasOwner(MailAddress address) throws DirectoryUnavailableException {
        Objects.requireNonNull(address, "address");
        checkOpen();
        AliasTable table = aliasTable;
        if (table == null) {
            throw new DirectoryUnavailableException("Directory: the alias table could not be built yet", null);
        }
        long ageNanos = System.nanoTime() - table.builtAtNanos();
        if (lastBuildFailed && ageNanos > settings.maxStaleness().toNanos()) {
            throw new DirectoryUnavailableException("Directory: the alias table is " + ageNanos / 1_000_000_000L
                + " s old and cannot be rebuilt (maxStaleness " + settings.maxStaleness() + ")", null);
        }
        return table.owner(EntryReader.key(address.asString()));
    }

    @Override
    public int rebuildAliasTable() throws DirectoryUnavailableException {
        checkOpen();
        AliasTable table = buildAliasTable("on demand");
        invalidateAll();
        return table.owners().size();
    }

    @Override
    public void invalidateAll() {
        floor = changeCounter.incrementAndGet();
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    @Override
    public RoutingStatistics statistics() {
        AliasTable table = aliasTable;
        return new RoutingStatistics(lookups.sum(), cacheHits.sum(), negativeCacheHits.sum(), directoryReads.sum(),
            directoryErrors.sum(), changeNotifications.sum(), invalidations.sum(),
            table == null ? 0 : table.owners().size(), aliasTableBuilds.sum(),
            table == null ? -1 : (System.nanoTime() - table.builtAtNanos()) / 1_000_000, changeTracking);
    }

    /** Stops the threads and gives the persistent search's connection back to the pool (which stays open). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        changeTracking = ChangeTracking.CLOSED;
        scheduler.shutdownNow();
        if (changeThread != null) {
            changeThread.interrupt();
            try {
                changeThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    // ------------------------------------------------------------------------------------------------- lookups

    private EntryReader.Resolution read(MailAddress address, String key) throws DirectoryUnavailableException {
        Filter filter = Filter.createORFilter(
            Filter.createEqualityFilter(EntryReader.MAIL, address.asString()),
            Filter.createEqualityFilter(EntryReader.ALIAS, address.asString()));
        SearchRequest request = new SearchRequest(suffix, SearchScope.SUB, filter, EntryReader.ATTRIBUTES);
        request.setSizeLimit(LOOKUP_SIZE_LIMIT);
        directoryReads.increment();
        List<SearchResultEntry> found;
        try {
            found = pool.search(request).getSearchEntries();
        } catch (LDAPSearchException e) {
            if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw unavailable("look up " + address.asString(), e);
            }
            found = e.getSearchEntries(); // more than LOOKUP_SIZE_LIMIT entries: ambiguous in any case
        }
        List<EntryReader.Read> reads = new ArrayList<>(found.size());
        for (SearchResultEntry entry : found) {
            EntryReader.Read read = EntryReader.read(entry);
            for (String problem : read.problems()) {
                onceLog.warn("value:" + read.normalizedDn() + ":" + problem,
                    "Directory: entry " + read.dn() + ": ignored value " + problem);
            }
            reads.add(read);
        }
        return EntryReader.resolve(key, reads, onceLog::warn);
    }

    private boolean isCurrent(String key, Cached cached) {
        if (cached.readAt() < floor) {
            return false;
        }
        if (changes.isEmpty()) {
            return true;
        }
        if (changedSince(keyToken(key), cached.readAt())) {
            return false;
        }
        for (String dn : cached.dependencies()) {
            if (changedSince(dnToken(dn), cached.readAt())) {
                return false;
            }
        }
        return true;
    }

    private boolean changedSince(String token, long readAt) {
        Change change = changes.get(token);
        return change != null && change.number() > readAt;
    }

    private DirectoryUnavailableException unavailable(String what, LDAPException e) {
        directoryErrors.increment();
        return new DirectoryUnavailableException("Directory: cannot " + what + ": " + e.getResultCode() + " "
            + Optional.ofNullable(e.getDiagnosticMessage()).orElse(e.getMessage()), e);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The directory routing service is closed");
        }
    }

    // --------------------------------------------------------------------------------------------- alias table

    private AliasTable buildAliasTable(String why) throws DirectoryUnavailableException {
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
                throw unavailable("build the alias table", e);
            }
            AliasTable table = AliasTable.resolve(claims, holders, begin, onceLog::warn);
            AliasTable previous = aliasTable;
            aliasTable = table;
            lastBuildFailed = false;
            aliasTableBuilds.increment();
            long millis = (System.nanoTime() - begin) / 1_000_000;
            if (previous == null || previous.owners().size() != table.owners().size()) {
                LOGGER.info("Directory routing: alias table built ({}): {} aliases, {} ambiguous and {} equal to an"
                    + " entry's mail left out, in {} ms", why, table.owners().size(), table.ambiguous(),
                    table.conflicting(), millis);
            } else {
                LOGGER.debug("Directory routing: alias table rebuilt ({}): {} aliases in {} ms", why,
                    table.owners().size(), millis);
            }
            return table;
        } finally {
            building = false;
            buildLock.unlock();
        }
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
                    EntryReader.Read read = EntryReader.read(entry);
                    if (read.entry().isEmpty()) {
                        onceLog.warn("unusable:" + read.normalizedDn(), "Directory: entry " + read.dn()
                            + " has aliases but no usable mail value: its aliases are left out " + read.problems());
                        continue;
                    }
                    MailAddress owner = read.entry().get().mail();
                    for (String problem : read.problems()) {
                        if (problem.startsWith(EntryReader.ALIAS)) {
                            onceLog.warn("value:" + read.normalizedDn() + ":" + problem,
                                "Directory: entry " + read.dn() + ": ignored value " + problem);
                        }
                    }
                    for (MailAddress alias : read.entry().get().aliases()) {
                        claims.add(new AliasTable.Claim(EntryReader.key(alias.asString()), read.normalizedDn(),
                            read.dn(), owner));
                    }
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

    private void requestRebuild() {
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

    private void rebuildQuietly(String why) {
        if (closed) {
            return;
        }
        try {
            buildAliasTable(why);
            if (onceLog.endOutage("alias-table")) {
                LOGGER.info("Directory routing: alias table rebuilt again");
            }
        } catch (DirectoryUnavailableException e) {
            if (closed) {
                return; // interrupted by close()
            }
            if (onceLog.startOutage("alias-table")) {
                LOGGER.warn("Directory routing: alias table not rebuilt, retried every {}: {}",
                    settings.aliasTableRefresh(), e.getMessage());
            }
        } catch (RuntimeException e) {
            LOGGER.error("Directory routing: alias table rebuild failed", e);
        }
    }

    private void periodicRefresh() {
        rebuildQuietly("periodic");
        probeChangeConnection();
    }

    /** A connection that died silently would leave the persistent search waiting forever: ask it something. */
    private void probeChangeConnection() {
        LDAPConnection connection = changeConnection;
        if (connection == null || changeTracking != ChangeTracking.PERSISTENT_SEARCH || closed) {
            return;
        }
        try {
            connection.getRootDSE();
        } catch (LDAPException e) {
            LOGGER.warn("Directory routing: the persistent search's connection does not answer ({}): reopening it",
                e.getMessage());
            connection.close(); // the persistent search ends with SERVER_DOWN, and is reopened
        }
    }

    private void forgetOldChanges() {
        // an answer read before a change expires at most maxStaleness after it was read, so before the change plus
        // maxStaleness: the change's token is useless after that
        long horizon = System.nanoTime() - settings.maxStaleness().toNanos() - 1_000_000_000L;
        long voidBefore = floor; // every answer read before the floor is void already
        changes.values().removeIf(change -> change.nanos() - horizon < 0 || change.number() <= voidBefore);
        if (changes.size() > MAXIMUM_TRACKED_CHANGES) {
            // a write storm with a long maxStaleness: drop everything rather than track each change
            invalidateAllAfterGap();
            long cleared = floor;
            changes.values().removeIf(change -> change.number() <= cleared);
        }
        if (cache != null) {
            cache.cleanUp();
        }
    }

    // ------------------------------------------------------------------------------------- change notifications

    private void watchChanges() {
        long backoff = INITIAL_BACKOFF_MILLIS;
        boolean everActive = false;
        while (!closed) {
            LDAPConnection connection;
            try {
                connection = pool.getConnection();
            } catch (LDAPException e) {
                changeLost("no connection: " + e.getResultCode() + " " + e.getMessage(), backoff);
                if (!sleep(backoff)) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAXIMUM_BACKOFF_MILLIS);
                continue;
            }
            changeConnection = connection;
            AsyncRequestID request = null;
            boolean healthy = true;
            try {
                Optional<String> unsupported = persistentSearchUnsupported(connection);
                if (unsupported.isPresent()) {
                    fallBack(unsupported.get());
                    return;
                }
                SearchRequest search = new SearchRequest(new ChangeListener(), suffix, SearchScope.SUB,
                    Filter.createPresenceFilter(EntryReader.OBJECT_CLASS), CHANGE_ATTRIBUTES);
                search.addControl(new PersistentSearchRequestControl(PersistentSearchChangeType.allChangeTypes(),
                    true, true));
                search.setResponseTimeoutMillis(0); // it lasts as long as the connection
                request = connection.asyncSearch(search);
                // an operation after it on the same connection: once answered, the server has the persistent
                // search (servers handle a connection's requests in order), or has refused it
                connection.getRootDSE();
                if (!request.isDone()) {
                    changeTracking = ChangeTracking.PERSISTENT_SEARCH;
                    if (onceLog.endOutage("psearch") || !everActive) {
                        LOGGER.info("Directory routing: change notifications by persistent search below {}", suffix);
                    }
                    everActive = true;
                    backoff = INITIAL_BACKOFF_MILLIS;
                    // changes made while it was not listening are unknown
                    invalidateAllAfterGap();
                    requestRebuild();
                }
                LDAPResult result = awaitEnd(request);
                request = null;
                if (closed) {
                    break;
                }
                if (UNSUPPORTED.contains(result.getResultCode()) && !everActive) {
                    fallBack("the server refused it: " + result.getResultCode() + " "
                        + Optional.ofNullable(result.getDiagnosticMessage()).orElse(""));
                    return;
                }
                healthy = result.getResultCode().isConnectionUsable();
                changeLost("it ended: " + result.getResultCode() + " "
                    + Optional.ofNullable(result.getDiagnosticMessage()).orElse(""), backoff);
            } catch (LDAPException e) {
                if (closed) {
                    break;
                }
                if (UNSUPPORTED.contains(e.getResultCode()) && !everActive) {
                    fallBack("the server refused it: " + e.getResultCode() + " " + e.getMessage());
                    return;
                }
                healthy = e.getResultCode().isConnectionUsable();
                changeLost(e.getResultCode() + " " + e.getMessage(), backoff);
            } catch (InterruptedException e) {
                break; // closing
            } catch (RuntimeException e) {
                healthy = false;
                if (!closed) {
                    LOGGER.warn("Directory routing: persistent search failed", e);
                    changeLost(e.toString(), backoff);
                }
            } finally {
                changeConnection = null;
                if (request != null && healthy && connection.isConnected()) {
                    try {
                        connection.abandon(request);
                    } catch (LDAPException e) {
                        healthy = false;
                    }
                }
                if (healthy && connection.isConnected()) {
                    pool.releaseConnection(connection);
                } else {
                    pool.releaseDefunctConnection(connection);
                }
            }
            if (!sleep(backoff)) {
                break;
            }
            backoff = Math.min(backoff * 2, MAXIMUM_BACKOFF_MILLIS);
        }
    }

    /**
     * The persistent search's result, when it ends. {@link AsyncRequestID#get()} would give up after the
     * connection's response timeout, while a persistent search lasts as long as its connection.
     */
    private LDAPResult awaitEnd(AsyncRequestID request) throws InterruptedException {
        while (true) {
            try {
                return request.get(1, TimeUnit.HOURS);
            } catch (TimeoutException e) {
                if (closed) {
                    throw new InterruptedException("closed");
                }
            }
        }
    }

    /** Why persistent search cannot be used, when the root DSE says so; empty when supported or unknown. */
    private static Optional<String> persistentSearchUnsupported(LDAPConnection connection) throws LDAPException {
        RootDSE rootDse = connection.getRootDSE();
        if (rootDse == null) {
            return Optional.empty(); // not readable: try
        }
        if (rootDse.supportsControl(PERSISTENT_SEARCH_OID)) {
            return Optional.empty();
        }
        String vendor = Optional.ofNullable(rootDse.getVendorName()).orElse("the server");
        return Optional.of(vendor + " does not list " + PERSISTENT_SEARCH_OID + " in its supportedControl");
    }

    private void fallBack(String reason) {
        changeTracking = ChangeTracking.BOUNDED_STALENESS;
        LOGGER.info("Directory routing: no persistent search ({}): answers are at most {} old ({} for unknown"
            + " addresses), the alias table is rebuilt every {}", reason, settings.maxStaleness(),
            settings.negativeTtl(), settings.aliasTableRefresh());
    }

    private void changeLost(String reason, long backoff) {
        if (closed) {
            return;
        }
        // cached answers stay within maxStaleness meanwhile (mail keeps flowing through a directory restart); all
        // are dropped once the persistent search is back, since changes made in between were not reported
        changeTracking = ChangeTracking.CONNECTING;
        if (onceLog.startOutage("psearch")) {
            LOGGER.warn("Directory routing: change notifications interrupted ({}); answers are bounded by"
                + " maxStaleness {} until the persistent search is reopened (retrying, first in {} ms)", reason,
                settings.maxStaleness(), backoff);
        }
    }

    private void invalidateAllAfterGap() {
        if (cache != null) {
            invalidations.add(cache.estimatedSize());
        }
        invalidateAll();
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** One notification: the entry after the change, with its entry change notification control. */
    void onChange(SearchResultEntry entry) {
        changeNotifications.increment();
        PersistentSearchChangeType type = null;
        String previousDn = null;
        try {
            EntryChangeNotificationControl control = EntryChangeNotificationControl.get(entry);
            if (control != null) {
                type = control.getChangeType();
                previousDn = control.getPreviousDN();
            }
        } catch (LDAPException e) {
            LOGGER.debug("Directory routing: unreadable entry change notification control on {}", entry.getDN(), e);
        }
        String dn = EntryReader.normalizedDn(entry.getDN());
        String previous = previousDn == null ? null : EntryReader.normalizedDn(previousDn);
        Set<String> keys = new LinkedHashSet<>();
        EntryReader.values(entry, EntryReader.MAIL).forEach(value -> keys.add(EntryReader.key(value)));
        Set<String> aliasKeys = new LinkedHashSet<>();
        EntryReader.values(entry, EntryReader.ALIAS).forEach(value -> aliasKeys.add(EntryReader.key(value)));
        keys.addAll(aliasKeys);
        LOGGER.debug("Directory routing: {} {}{}", type == null ? "change of" : type.getName(), entry.getDN(),
            previousDn == null ? "" : " (was " + previousDn + ")");

        boolean branch = keys.isEmpty() && type != PersistentSearchChangeType.ADD
            && type != PersistentSearchChangeType.MODIFY;
        if (branch) {
            // a branch deleted or renamed (or an unknown change type): the entries below it are not reported
            invalidateAllAfterGap();
            requestRebuild();
            return;
        }
        long number = changeCounter.incrementAndGet();
        Change change = new Change(number, System.nanoTime());
        changes.put(dnToken(dn), change);
        if (previous != null) {
            changes.put(dnToken(previous), change);
        }
        for (String key : keys) {
            changes.put(keyToken(key), change);
            if (cache != null && cache.asMap().remove(key) != null) {
                invalidations.increment();
            }
        }
        AliasTable table = aliasTable;
        boolean tableConcerned = table == null || building || rebuildPending.get() || !aliasKeys.isEmpty()
            || table.dependentDns().contains(dn) || (previous != null && table.dependentDns().contains(previous))
            || keys.stream().anyMatch(table.claimedKeys()::contains);
        if (tableConcerned) {
            requestRebuild();
        }
    }

    private static String dnToken(String normalizedDn) {
        return "dn:" + normalizedDn;
    }

    private static String keyToken(String key) {
        return "key:" + key;
    }

    private final class ChangeListener implements AsyncSearchResultListener {
        private static final long serialVersionUID = 1L;

        @Override
        public void searchEntryReturned(SearchResultEntry entry) {
            try {
                onChange(entry);
            } catch (RuntimeException e) {
                LOGGER.error("Directory routing: change notification for {} not applied; dropping every cached"
                    + " answer", entry.getDN(), e);
                invalidateAllAfterGap();
            }
        }

        @Override
        public void searchReferenceReturned(SearchResultReference reference) {
            // referrals are not followed
        }

        @Override
        public void searchResultReceived(AsyncRequestID requestId, SearchResult result) {
            // the watching thread reads it from the request id
        }
    }

    // ---------------------------------------------------------------------------------------------- internals

    /** A cached answer: the entry or "unknown", the entries it was computed from, when it was read. */
    record Cached(Optional<DirectoryEntry> entry, Set<String> dependencies, long readAt, long readNanos) {
    }

    /** A change: its number in the change counter and when it was applied. */
    record Change(long number, long nanos) {
    }

    /** Positive answers live maxStaleness, negative ones negativeTtl, both from the time of the directory read. */
    private static final class StalenessExpiry implements Expiry<String, Cached> {
        private final long positiveNanos;
        private final long negativeNanos;

        StalenessExpiry(RoutingSettings settings) {
            this.positiveNanos = settings.maxStaleness().toNanos();
            this.negativeNanos = settings.negativeTtl().toNanos();
        }

        private long remaining(Cached value, long currentTime) {
            long ttl = value.entry().isPresent() ? positiveNanos : negativeNanos;
            return Math.max(0, value.readNanos() + ttl - currentTime);
        }

        @Override
        public long expireAfterCreate(String key, Cached value, long currentTime) {
            return remaining(value, currentTime);
        }

        @Override
        public long expireAfterUpdate(String key, Cached value, long currentTime, long currentDuration) {
            return remaining(value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Cached value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
