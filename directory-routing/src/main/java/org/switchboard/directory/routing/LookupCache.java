package org.switchboard.directory.routing;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

/**
 * The answers of {@link LdapDirectoryRouting#lookup}, by address key: entries kept up to {@code maxStaleness},
 * "unknown" up to {@code negativeTtl}, both counted from the directory read, and voided by the changes the
 * directory reports.
 *
 * <p>Each answer records the DNs of all the entries its search returned; a change voids the answers for the changed
 * entry's current addresses and every answer computed from the entry (its DN, or its previous DN after a rename).
 * Invalidation is checked against a change counter, so an answer whose directory read overlapped a change is never
 * kept past it. The notification does not carry the previous values, hence the DN bookkeeping rather than
 * invalidating by value only; dropping the whole cache on every change would be simpler but turns each directory
 * write (password changes included) into a burst of reads.
 *
 * <p>With {@code cacheSize} 0 nothing is kept and every lookup reads the directory.
 */
final class LookupCache {
    private static final int MAXIMUM_TRACKED_CHANGES = 200_000;

    private final RoutingSettings settings;
    private final Cache<String, Answer> answers; // null: no cache
    /** Counts changes; an answer read when it was n is void once a change it depends on got a number above n. */
    private final AtomicLong changeCounter = new AtomicLong();
    /** Answers read before this number are void (everything was invalidated). */
    private volatile long floor;
    /** Recent changes by token ({@code dn:<normalized DN>} or {@code key:<address>}), kept maxStaleness. */
    private final ConcurrentHashMap<String, Change> changes = new ConcurrentHashMap<>();
    private final LongAdder invalidations = new LongAdder();

    LookupCache(RoutingSettings settings) {
        this.settings = settings;
        this.answers = settings.cacheSize() == 0 ? null : Caffeine.newBuilder()
            .maximumSize(settings.cacheSize())
            .expireAfter(new StalenessExpiry(settings))
            .build();
    }

    /** The answer kept for the key, when there is one and no change voided it; a void answer is dropped. */
    Optional<Answer> current(String key) {
        if (answers == null) {
            return Optional.empty();
        }
        Answer answer = answers.getIfPresent(key);
        if (answer == null) {
            return Optional.empty();
        }
        if (isCurrent(key, answer)) {
            return Optional.of(answer);
        }
        if (answers.asMap().remove(key, answer)) {
            invalidations.increment();
        }
        return Optional.empty();
    }

    /** Marks the start of a directory read, to be given back to {@link #keep}. */
    ReadStart readStarts() {
        long nanos = System.nanoTime(); // before the counter: the answer expires no later than a change's token
        return new ReadStart(changeCounter.get(), nanos);
    }

    /** Keeps what the directory answered, unless a change it depends on arrived since the read started. */
    void keep(String key, EntryReader.Resolution resolution, ReadStart start) {
        if (answers == null || (resolution.entry().isEmpty() && settings.negativeTtl().isZero())) {
            return;
        }
        Answer fresh = new Answer(resolution.entry(), resolution.dependencies(), start.changeNumber(), start.nanos());
        answers.put(key, fresh);
        if (!isCurrent(key, fresh)) {
            // a change arrived while the directory was read: do not keep an answer that may predate it
            answers.asMap().remove(key, fresh);
        }
    }

    /**
     * A change of the entry {@code normalizedDn} (formerly {@code previousDn}, after a rename; may be null) whose
     * addresses are now {@code keys}: voids every answer it can affect.
     */
    void changed(String normalizedDn, String previousDn, Set<String> keys) {
        Change change = new Change(changeCounter.incrementAndGet(), System.nanoTime());
        changes.put(dnToken(normalizedDn), change);
        if (previousDn != null) {
            changes.put(dnToken(previousDn), change);
        }
        for (String key : keys) {
            changes.put(keyToken(key), change);
            if (answers != null && answers.asMap().remove(key) != null) {
                invalidations.increment();
            }
        }
    }

    /** Voids every answer kept. */
    void invalidateAll() {
        floor = changeCounter.incrementAndGet();
        if (answers != null) {
            answers.invalidateAll();
        }
    }

    /** Voids every answer kept because changes may have been missed, counting them as invalidations. */
    void invalidateAllAfterGap() {
        if (answers != null) {
            invalidations.add(answers.estimatedSize());
        }
        invalidateAll();
    }

    /** Periodic clean-up: forgets the changes no kept answer can predate any more. */
    void forgetOldChanges() {
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
        if (answers != null) {
            answers.cleanUp();
        }
    }

    /** Answers dropped because a change concerned them or changes may have been missed. */
    long invalidations() {
        return invalidations.sum();
    }

    private boolean isCurrent(String key, Answer answer) {
        if (answer.readAt() < floor) {
            return false;
        }
        if (changes.isEmpty()) {
            return true;
        }
        if (changedSince(keyToken(key), answer.readAt())) {
            return false;
        }
        for (String dn : answer.dependencies()) {
            if (changedSince(dnToken(dn), answer.readAt())) {
                return false;
            }
        }
        return true;
    }

    private boolean changedSince(String token, long readAt) {
        Change change = changes.get(token);
        return change != null && change.number() > readAt;
    }

    private static String dnToken(String normalizedDn) {
        return "dn:" + normalizedDn;
    }

    private static String keyToken(String key) {
        return "key:" + key;
    }

    /** A kept answer: the entry or "unknown", the entries it was computed from, when it was read. */
    record Answer(Optional<DirectoryEntry> entry, Set<String> dependencies, long readAt, long readNanos) {
    }

    /** Where the change counter and the clock stood when a directory read started. */
    record ReadStart(long changeNumber, long nanos) {
    }

    /** A change: its number in the change counter and when it was applied. */
    private record Change(long number, long nanos) {
    }

    /** Positive answers live maxStaleness, negative ones negativeTtl, both from the time of the directory read. */
    private static final class StalenessExpiry implements Expiry<String, Answer> {
        private final long positiveNanos;
        private final long negativeNanos;

        StalenessExpiry(RoutingSettings settings) {
            this.positiveNanos = settings.maxStaleness().toNanos();
            this.negativeNanos = settings.negativeTtl().toNanos();
        }

        private long remaining(Answer value, long currentTime) {
            long ttl = value.entry().isPresent() ? positiveNanos : negativeNanos;
            return Math.max(0, value.readNanos() + ttl - currentTime);
        }

        @Override
        public long expireAfterCreate(String key, Answer value, long currentTime) {
            return remaining(value, currentTime);
        }

        @Override
        public long expireAfterUpdate(String key, Answer value, long currentTime, long currentDuration) {
            return remaining(value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Answer value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
