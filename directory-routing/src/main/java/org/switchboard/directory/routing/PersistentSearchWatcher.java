package org.switchboard.directory.routing;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.RoutingStatistics.ChangeTracking;

import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.PersistentSearchChangeType;
import com.unboundid.ldap.sdk.controls.PersistentSearchRequestControl;

/**
 * Listens to the directory's changes below the suffix with a persistent search (draft-ietf-ldapext-psearch: all
 * change types, changes only, entry change notification controls), on a connection taken from the pool for good,
 * in a thread of its own, and hands each change to a {@link Listener}.
 *
 * <p>When the connection drops, the search is reopened with a backoff from 0.5 s to 60 s, and the listener is told
 * that changes were missed once it is back; {@link #probe()} notices a connection that died silently. A server that
 * does not support persistent search (not in the root DSE's {@code supportedControl}, or refusing the request:
 * OpenLDAP) ends the watch, logged once at INFO: bounded staleness only.
 */
final class PersistentSearchWatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(PersistentSearchWatcher.class);
    private static final long INITIAL_BACKOFF_MILLIS = 500;
    private static final long MAXIMUM_BACKOFF_MILLIS = 60_000;
    private static final String OUTAGE = "psearch";
    private static final Set<ResultCode> UNSUPPORTED = Set.of(ResultCode.UNAVAILABLE_CRITICAL_EXTENSION,
        ResultCode.UNWILLING_TO_PERFORM, ResultCode.NOT_SUPPORTED, ResultCode.PROTOCOL_ERROR,
        ResultCode.INSUFFICIENT_ACCESS_RIGHTS);

    /** What the watcher reports. */
    interface Listener {
        /** A change below the suffix. */
        void changed(DirectoryChange change);

        /** Changes may have gone unreported (the search was (re)opened, or a notification could not be applied). */
        void changesMissed();
    }

    private final LDAPConnectionPool pool;
    private final String suffix;
    private final RoutingSettings settings;
    private final OnceLog onceLog;
    private final Listener listener;
    private final Thread thread;
    private final LongAdder notifications = new LongAdder();
    private volatile LDAPConnection connection;
    private volatile ChangeTracking tracking = ChangeTracking.CONNECTING;
    private volatile boolean closed;

    PersistentSearchWatcher(LDAPConnectionPool pool, String suffix, RoutingSettings settings, OnceLog onceLog,
                            Listener listener) {
        this.pool = pool;
        this.suffix = suffix;
        this.settings = settings;
        this.onceLog = onceLog;
        this.listener = listener;
        this.thread = new Thread(this::watch, "directory-routing-changes");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    ChangeTracking tracking() {
        return tracking;
    }

    /** Changes the directory reported. */
    long notifications() {
        return notifications.sum();
    }

    /** A connection that died silently would leave the persistent search waiting forever: ask it something. */
    void probe() {
        LDAPConnection current = connection;
        if (current == null || tracking != ChangeTracking.PERSISTENT_SEARCH || closed) {
            return;
        }
        try {
            current.getRootDSE();
        } catch (LDAPException e) {
            LOGGER.warn("Directory routing: the persistent search's connection does not answer ({}): reopening it",
                e.getMessage());
            current.close(); // the persistent search ends with SERVER_DOWN, and is reopened
        }
    }

    /** Ends the search and gives its connection back to the pool. */
    void close() {
        closed = true;
        tracking = ChangeTracking.CLOSED;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        long backoff = INITIAL_BACKOFF_MILLIS;
        boolean everActive = false;
        while (!closed) {
            LDAPConnection current;
            try {
                current = pool.getConnection();
            } catch (LDAPException e) {
                lost("no connection: " + e.getResultCode() + " " + e.getMessage(), backoff);
                if (!sleep(backoff)) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAXIMUM_BACKOFF_MILLIS);
                continue;
            }
            connection = current;
            AsyncRequestID request = null;
            boolean healthy = true;
            try {
                Optional<String> unsupported = unsupportedBy(current);
                if (unsupported.isPresent()) {
                    fallBack(unsupported.get());
                    return;
                }
                SearchRequest search = new SearchRequest(new ChangeListener(), suffix, SearchScope.SUB,
                    Filter.createPresenceFilter(EntryReader.OBJECT_CLASS), DirectoryChange.ATTRIBUTES);
                search.addControl(new PersistentSearchRequestControl(PersistentSearchChangeType.allChangeTypes(),
                    true, true));
                search.setResponseTimeoutMillis(0); // it lasts as long as the connection
                request = current.asyncSearch(search);
                // an operation after it on the same connection: once answered, the server has the persistent
                // search (servers handle a connection's requests in order), or has refused it
                current.getRootDSE();
                if (!request.isDone()) {
                    tracking = ChangeTracking.PERSISTENT_SEARCH;
                    if (onceLog.endOutage(OUTAGE) || !everActive) {
                        LOGGER.info("Directory routing: change notifications by persistent search below {}", suffix);
                    }
                    everActive = true;
                    backoff = INITIAL_BACKOFF_MILLIS;
                    listener.changesMissed(); // those made while it was not listening
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
                lost("it ended: " + result.getResultCode() + " "
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
                lost(e.getResultCode() + " " + e.getMessage(), backoff);
            } catch (InterruptedException e) {
                break; // closing
            } catch (RuntimeException e) {
                healthy = false;
                if (!closed) {
                    LOGGER.warn("Directory routing: persistent search failed", e);
                    lost(e.toString(), backoff);
                }
            } finally {
                connection = null;
                release(current, request, healthy);
            }
            if (!sleep(backoff)) {
                break;
            }
            backoff = Math.min(backoff * 2, MAXIMUM_BACKOFF_MILLIS);
        }
    }

    private void release(LDAPConnection current, AsyncRequestID pendingRequest, boolean healthy) {
        boolean reusable = healthy;
        if (pendingRequest != null && reusable && current.isConnected()) {
            try {
                current.abandon(pendingRequest);
            } catch (LDAPException e) {
                reusable = false;
            }
        }
        if (reusable && current.isConnected()) {
            pool.releaseConnection(current);
        } else {
            pool.releaseDefunctConnection(current);
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
    private static Optional<String> unsupportedBy(LDAPConnection connection) throws LDAPException {
        RootDSE rootDse = connection.getRootDSE();
        if (rootDse == null) {
            return Optional.empty(); // not readable: try
        }
        if (rootDse.supportsControl(LdapDirectoryRouting.PERSISTENT_SEARCH_OID)) {
            return Optional.empty();
        }
        String vendor = Optional.ofNullable(rootDse.getVendorName()).orElse("the server");
        return Optional.of(vendor + " does not list " + LdapDirectoryRouting.PERSISTENT_SEARCH_OID
            + " in its supportedControl");
    }

    private void fallBack(String reason) {
        tracking = ChangeTracking.BOUNDED_STALENESS;
        LOGGER.info("Directory routing: no persistent search ({}): answers are at most {} old ({} for unknown"
            + " addresses), the alias table is rebuilt every {}", reason, settings.maxStaleness(),
            settings.negativeTtl(), settings.aliasTableRefresh());
    }

    private void lost(String reason, long backoff) {
        if (closed) {
            return;
        }
        // cached answers stay within maxStaleness meanwhile (mail keeps flowing through a directory restart); all
        // are dropped once the persistent search is back, since changes made in between were not reported
        tracking = ChangeTracking.CONNECTING;
        if (onceLog.startOutage(OUTAGE)) {
            LOGGER.warn("Directory routing: change notifications interrupted ({}); answers are bounded by"
                + " maxStaleness {} until the persistent search is reopened (retrying, first in {} ms)", reason,
                settings.maxStaleness(), backoff);
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private final class ChangeListener implements AsyncSearchResultListener {
        private static final long serialVersionUID = 1L;

        @Override
        public void searchEntryReturned(SearchResultEntry entry) {
            notifications.increment();
            try {
                listener.changed(DirectoryChange.of(entry));
            } catch (RuntimeException e) {
                LOGGER.error("Directory routing: change notification for {} not applied; dropping every cached"
                    + " answer", entry.getDN(), e);
                listener.changesMissed();
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
}
