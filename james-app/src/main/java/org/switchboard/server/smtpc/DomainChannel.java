package org.switchboard.server.smtpc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * One SMTPC domain channel: the mails of one destination domain and the channel's state. New mail is pending (tried
 * at once, lowest weight first, by up to {@code maxSessions} sessions); mail that failed for now is deferred until
 * the next queue run; mail of a held domain (ETRN, "queue mail before attempting delivery") waits for ETRN or a flush.
 *
 * <p>A queue run takes the deferred mails by weight (at most {@code queueRunSize}) and tries the first alone (the
 * gate): delivered, the others become pending; failed, they all wait for the next run.
 */
final class DomainChannel {
    private final String domain;
    private final DomainProfile profile;
    private final List<QueuedEntry> pending = new ArrayList<>();
    private final List<QueuedEntry> deferred = new ArrayList<>();
    private final List<QueuedEntry> held = new ArrayList<>();
    private int sessions;
    private boolean runInProgress;
    private String lastError;
    private Instant lastErrorAt;
    private String lastHop;

    DomainChannel(String domain, DomainProfile profile) {
        this.domain = domain;
        this.profile = profile;
    }

    String domain() {
        return domain;
    }

    DomainProfile profile() {
        return profile;
    }

    synchronized void addPending(QueuedEntry entry) {
        pending.add(entry);
        notifyAll();
    }

    synchronized void addDeferred(QueuedEntry entry) {
        deferred.add(entry);
    }

    synchronized void addHeld(QueuedEntry entry) {
        held.add(entry);
    }

    /** The pending mail of lowest weight, if any. */
    synchronized Optional<QueuedEntry> takePending(ToLongFunction<QueuedEntry> weight) {
        Optional<QueuedEntry> next = pending.stream().min(Comparator.comparingLong(weight));
        next.ifPresent(pending::remove);
        return next;
    }

    /** The pending mail of lowest weight, waiting up to {@code idle} for one when there is none. */
    synchronized Optional<QueuedEntry> takePending(ToLongFunction<QueuedEntry> weight, Duration idle)
        throws InterruptedException {
        long deadline = System.nanoTime() + idle.toNanos();
        for (long left = idle.toNanos(); pending.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return takePending(weight);
    }

    synchronized List<QueuedEntry> drainPending() {
        List<QueuedEntry> drained = new ArrayList<>(pending);
        pending.clear();
        return drained;
    }

    /** Whether one more session may start: under {@code maxSessions}, and mail enough for it. */
    synchronized boolean startSessionForPending() {
        if (pending.isEmpty() || sessions >= profile.maxSessions() || (sessions > 0 && pending.size() < 2)) {
            return false;
        }
        sessions++;
        return true;
    }

    synchronized void endSession() {
        sessions--;
    }

    /**
     * Starts a queue run when one is due (a deferred mail's time has come): the deferred mails by weight, at most
     * {@code queueRunSize}, the gate first. Empty when none is due, a run is under way or no session is free.
     */
    synchronized List<QueuedEntry> startRun(long now, ToLongFunction<QueuedEntry> weight) {
        if (runInProgress || deferred.isEmpty() || sessions >= profile.maxSessions()
            || deferred.stream().noneMatch(entry -> entry.nextAttempt() <= now)) {
            return List.of();
        }
        deferred.sort(Comparator.comparingLong(weight));
        List<QueuedEntry> run = new ArrayList<>(deferred.subList(0, Math.min(profile.queueRunSize(), deferred.size())));
        deferred.removeAll(run);
        runInProgress = true;
        sessions++;
        return run;
    }

    /** The gate was delivered: the rest of the run follows as pending mail. */
    synchronized void gateOpened(List<QueuedEntry> rest) {
        pending.addAll(rest);
        runInProgress = false;
        notifyAll();
    }

    /** The gate failed: the rest of the run waits for the next run. */
    synchronized void gateClosed(List<QueuedEntry> rest, long nextRun) {
        rest.forEach(entry -> entry.nextAttempt(nextRun));
        deferred.addAll(rest);
        runInProgress = false;
    }

    /** Held and deferred mail made due now (ETRN, an administrator's flush); how many. */
    synchronized int flush() {
        deferred.addAll(held);
        held.clear();
        deferred.forEach(entry -> entry.nextAttempt(0));
        return deferred.size();
    }

    /** Removes and returns the waiting (held or deferred) mails that match, e.g. those past their expiry. */
    synchronized List<QueuedEntry> removeWaiting(Predicate<QueuedEntry> which) {
        List<QueuedEntry> removed = new ArrayList<>();
        for (List<QueuedEntry> list : List.of(held, deferred)) {
            list.stream().filter(which).forEach(removed::add);
            list.removeIf(which);
        }
        return removed;
    }

    synchronized void noteError(String error) {
        lastError = error;
        lastErrorAt = Instant.now();
    }

    synchronized Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    synchronized void noteHop(Hop hop) {
        lastHop = hop.toString();
    }

    synchronized int waiting() {
        return pending.size() + deferred.size() + held.size();
    }

    /** The channel's mail with this name (or name prefix), and whether it is pending, deferred or held. */
    synchronized Optional<String> stateOf(QueuedEntry entry) {
        if (pending.contains(entry)) {
            return Optional.of("pending");
        }
        if (deferred.contains(entry)) {
            return Optional.of("deferred");
        }
        return held.contains(entry) ? Optional.of("held") : Optional.empty();
    }

    synchronized Optional<QueuedEntry> find(String name) {
        for (List<QueuedEntry> list : List.of(pending, deferred, held)) {
            for (QueuedEntry entry : list) {
                if (entry.name().equals(name)) {
                    return Optional.of(entry);
                }
            }
        }
        return Optional.empty();
    }

    synchronized Optional<Long> nextRun() {
        return deferred.stream().map(QueuedEntry::nextAttempt).min(Long::compare);
    }

    synchronized ChannelState state() {
        return new ChannelState(domain, profile.hold() ? "held (ETRN)" : "active", pending.size(), deferred.size(),
            held.size(), sessions, nextRun().map(Instant::ofEpochMilli), Optional.ofNullable(lastHop),
            Optional.ofNullable(lastError), Optional.ofNullable(lastErrorAt));
    }
}
