package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.Flags;

import org.apache.james.events.Event;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.events.MailboxEvents.Added;
import org.apache.james.mailbox.events.MailboxEvents.Expunged;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.mailbox.events.MailboxEvents.MailboxDeletion;
import org.apache.james.mailbox.events.MailboxEvents.MailboxEvent;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;

/**
 * The one thread that writes the index. Mailbox events are queued by the delivering thread (a queue insertion, no
 * indexing work on the delivery path) and applied here in the order they were announced, reading the store for the
 * content and the current flags, so that an event applied late never writes stale data. The index is committed in
 * batches ({@link IndexSettings#commitInterval()}, {@link IndexSettings#commitEvery()}), never per message.
 *
 * A search first queues a barrier and waits for it: every change announced before the search (every append that
 * has returned) is then in the index, seen through Lucene's near-real-time reader even before the next commit.
 *
 * After a stop that was not clean (no {@link CleanStopMark}), no mailbox is trusted: each is compared with the store
 * ({@link MailboxReconciler}) before its first search, and all of them in the background after
 * {@link IndexSettings#verifyDelay()}. Nothing of that happens during start-up.
 *
 * Unless {@link IndexSettings#indexOnDelivery()}, only mailboxes that were searched are kept in the index: the first
 * search of a mailbox indexes it in full (the same comparison with the store) and marks it in the index
 * ({@link LuceneIndexAccess#markIndexed}); changes of unmarked mailboxes are not indexed. As Dovecot's full-text
 * search does by default: mailboxes nobody searches cost no indexing.
 */
final class SearchIndexWorker {
    private static final Logger LOGGER = LoggerFactory.getLogger(SearchIndexWorker.class);
    private static final int BATCH = 1000;

    private sealed interface Task permits Change, Barrier, Verify, VerificationPassDone, Stop {
    }

    private record Change(MailboxEvent event) implements Task {
    }

    private record Barrier(Collection<MailboxId> mailboxIds, CompletableFuture<Void> done) implements Task {
    }

    private record Verify(MailboxId mailboxId) implements Task {
    }

    private record VerificationPassDone(int mailboxes) implements Task {
    }

    private record Stop(CompletableFuture<Boolean> done) implements Task {
    }

    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final MailboxSessionMapperFactory mappers;
    private final SessionProvider sessions;
    private final SwitchboardLuceneIndex lucene;
    private final LuceneIndexAccess access;
    private final MailboxReconciler reconciler;
    private final CleanStopMark mark;
    private final IndexSettings settings;
    private final Thread thread;

    private final Set<MailboxId> verified = ConcurrentHashMap.newKeySet();
    /** Serialized ids of the mailboxes kept in the index (when not every mailbox is). */
    private final Set<String> indexedMailboxes = ConcurrentHashMap.newKeySet();
    private final Set<MailboxId> suspects = ConcurrentHashMap.newKeySet();
    private volatile boolean suspectAll;
    private volatile boolean stopped;

    private int uncommitted;
    private long firstUncommittedNanos;
    private final AtomicLong indexedMessages = new AtomicLong();
    private long commits;
    private long reconciledMailboxes;

    SearchIndexWorker(MailboxSessionMapperFactory mappers, SessionProvider sessions, SwitchboardLuceneIndex lucene,
                      CleanStopMark mark, IndexSettings settings) throws IOException {
        this.mappers = mappers;
        this.sessions = sessions;
        this.lucene = lucene;
        this.access = LuceneIndexAccess.of(lucene);
        this.reconciler = new MailboxReconciler(mappers, sessions, lucene, access);
        this.mark = mark;
        this.settings = settings;
        this.suspectAll = !mark.takeAtStart();
        if (!settings.indexOnDelivery()) {
            indexedMailboxes.addAll(access.indexedMailboxes());
        }
        if (suspectAll) {
            LOGGER.info("Search index: no clean-stop mark (first start, or the last run did not stop in order); each mailbox "
                + "is compared with the store before its first search, and all of them in the background from {} s after start",
                settings.verifyDelay().toSeconds());
        }
        this.thread = new Thread(this::run, "search-indexer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
        if (suspectAll) {
            Thread verification = new Thread(this::verifyEveryMailbox, "search-index-verification");
            verification.setDaemon(true);
            verification.start();
        }
    }

    /** Called on the thread that changed the store, before its operation returns: a queue insertion only. */
    void enqueue(MailboxEvent event) {
        if (stopped) {
            // the index has been closed: this change will not be in it, so the next start must compare
            try {
                mark.removeIfPresent();
            } catch (IOException e) {
                LOGGER.warn("Search index: could not remove the clean-stop mark after a late change", e);
            }
            return;
        }
        queue.add(new Change(event));
    }

    /** Waits until every change announced so far, and any comparison these mailboxes need, is in the index. */
    boolean catchUp(Collection<MailboxId> mailboxIds, Duration timeout) throws InterruptedException {
        if (stopped || !thread.isAlive()) {
            return false;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Barrier(List.copyOf(mailboxIds), done));
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            LOGGER.warn("Search index: not caught up after {} ms ({} changes queued)", timeout.toMillis(), queue.size());
            return false;
        } catch (ExecutionException e) {
            LOGGER.warn("Search index: could not catch up", e.getCause());
            return false;
        }
    }

    long indexedMessages() {
        return indexedMessages.get();
    }

    /** Applies what is queued, commits, and writes the clean-stop mark when nothing was left out. */
    void stop(Duration timeout) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queue.add(new Stop(done));
        stopped = true;
        boolean clean = false;
        try {
            clean = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOGGER.warn("Search index: the indexing thread did not finish; the index will be compared with the store at the next start", e);
        }
        if (clean && queue.isEmpty()) {
            try {
                mark.writeAtStop();
            } catch (IOException e) {
                LOGGER.warn("Search index: could not write the clean-stop mark", e);
            }
        }
    }

    /** Stops the thread without committing and rolls the writer back to the last commit (what a crash leaves). */
    void abandon() throws IOException {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        access.writer().rollback();
    }

    private void run() {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<Task> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Task first = queue.poll(pollTimeoutNanos(), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
                for (Task task : batch) {
                    if (task instanceof Stop stop) {
                        boolean clean = commitIfNeeded(true);
                        LOGGER.info("Search index stopped: {} messages indexed, {} commits, {} mailboxes compared with the store, "
                                + "{} ms CPU on the indexing thread, {} ms merging segments", indexedMessages.get(), commits,
                            reconciledMailboxes, cpu.getCurrentThreadCpuTime() / 1_000_000, lucene.mergeCpuMillis());
                        stop.done().complete(clean && suspects.isEmpty());
                        return;
                    }
                    apply(task);
                }
                batch.clear();
                commitIfNeeded(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOGGER.error("Search index: unexpected failure of the indexing thread; it goes on", e);
                batch.clear();
            }
        }
    }

    private long pollTimeoutNanos() {
        if (uncommitted == 0) {
            return TimeUnit.SECONDS.toNanos(60);
        }
        long due = firstUncommittedNanos + settings.commitInterval().toNanos() - System.nanoTime();
        return Math.max(due, 0);
    }

    private boolean commitIfNeeded(boolean force) {
        if (uncommitted == 0) {
            return true;
        }
        boolean due = force || uncommitted >= settings.commitEvery()
            || System.nanoTime() - firstUncommittedNanos >= settings.commitInterval().toNanos();
        if (!due) {
            return true;
        }
        try {
            lucene.commit();
            commits++;
            uncommitted = 0;
            return true;
        } catch (IOException e) {
            LOGGER.warn("Search index: commit failed; it is tried again with the next batch", e);
            return false;
        }
    }

    private void written(int changes) {
        if (changes > 0 && uncommitted == 0) {
            firstUncommittedNanos = System.nanoTime();
        }
        uncommitted += changes;
    }

    private void apply(Task task) {
        if (task instanceof Change change) {
            MailboxId mailboxId = change.event().getMailboxId();
            try {
                written(applyChange(change.event()));
            } catch (Exception e) {
                LOGGER.warn("Search index: could not apply {} to mailbox {}; it will be compared with the store before its next search",
                    change.event().getClass().getSimpleName(), mailboxId.serialize(), e);
                suspect(mailboxId);
            }
        } else if (task instanceof Barrier barrier) {
            for (MailboxId mailboxId : barrier.mailboxIds()) {
                if (kept(mailboxId)) {
                    verifyIfNeeded(mailboxId);
                } else {
                    indexInFull(mailboxId);
                }
            }
            barrier.done().complete(null);
        } else if (task instanceof Verify verify) {
            verifyIfNeeded(verify.mailboxId());
        } else if (task instanceof VerificationPassDone pass) {
            if (suspects.isEmpty()) {
                suspectAll = false;
                verified.clear();
            }
            LOGGER.info("Search index: {} mailboxes compared with the store since start", pass.mailboxes());
        }
    }

    /** Whether the changes of this mailbox are indexed as they come. */
    private boolean kept(MailboxId mailboxId) {
        return settings.indexOnDelivery() || indexedMailboxes.contains(mailboxId.serialize());
    }

    /** The first search of a mailbox: every message in, and the mailbox marked as kept from now on. */
    private void indexInFull(MailboxId mailboxId) {
        long start = System.nanoTime();
        compareWithStore(mailboxId).ifPresent(result -> {
            try {
                access.markIndexed(mailboxId);
                indexedMailboxes.add(mailboxId.serialize());
                written(1);
                LOGGER.info("Search index: mailbox {} indexed at its first search in {} ms ({} messages indexed); its new mail is indexed as it comes",
                    mailboxId.serialize(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), result.indexed());
            } catch (IOException e) {
                LOGGER.warn("Search index: could not mark mailbox {} as indexed; it is compared again at its next search",
                    mailboxId.serialize(), e);
            }
        });
    }

    private void suspect(MailboxId mailboxId) {
        verified.remove(mailboxId);
        suspects.add(mailboxId);
    }

    private boolean needsVerification(MailboxId mailboxId) {
        return suspects.contains(mailboxId) || (suspectAll && !verified.contains(mailboxId));
    }

    private void verifyIfNeeded(MailboxId mailboxId) {
        if (!needsVerification(mailboxId)) {
            return;
        }
        long start = System.nanoTime();
        compareWithStore(mailboxId)
            .filter(MailboxReconciler.Result::changedSomething)
            .ifPresent(result -> LOGGER.info("Search index: mailbox {} compared with the store in {} ms: {} indexed, {} removed, {} flags rewritten",
                mailboxId.serialize(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                result.indexed(), result.removed(), result.reflagged()));
    }

    /** Brings the mailbox's index in line with the store ({@link MailboxReconciler}); empty when that failed. */
    private Optional<MailboxReconciler.Result> compareWithStore(MailboxId mailboxId) {
        try {
            MailboxReconciler.Result result = reconciler.reconcile(mailboxId);
            written(result.indexed() + result.removed() + result.reflagged());
            indexedMessages.addAndGet(result.indexed());
            reconciledMailboxes++;
            suspects.remove(mailboxId);
            if (suspectAll) {
                verified.add(mailboxId);
            }
            return Optional.of(result);
        } catch (Exception e) {
            LOGGER.warn("Search index: could not compare mailbox {} with the store; tried again at its next search",
                mailboxId.serialize(), e);
            suspects.add(mailboxId);
            return Optional.empty();
        }
    }

    private int applyChange(MailboxEvent event) throws Exception {
        MailboxId mailboxId = event.getMailboxId();
        if (event instanceof MailboxDeletion) {
            lucene.delete(mailboxId, MessageRange.all());
            if (indexedMailboxes.remove(mailboxId.serialize())) {
                access.unmarkIndexed(mailboxId);
            }
            return 1;
        }
        if (!kept(mailboxId)) {
            return 0; // indexed in full at its first search
        }
        if (event instanceof Expunged expunged) {
            for (MessageUid uid : expunged.getUids()) {
                access.deleteMessage(mailboxId, uid);
            }
            return expunged.getUids().size();
        }
        if (!(event instanceof Added) && !(event instanceof FlagsUpdated)) {
            return 0;
        }
        MailboxSession session = sessions.createSystemSession(event.getUsername());
        try {
            Mailbox mailbox = mappers.getMailboxMapper(session).findMailboxById(mailboxId)
                .onErrorResume(MailboxNotFoundException.class, e -> Mono.empty())
                .block();
            if (mailbox == null) {
                return 0; // deleted since: its deletion event follows
            }
            MessageMapper messages = mappers.getMessageMapper(session);
            if (event instanceof Added added) {
                return addMessages(session, mailbox, messages, added.getUids());
            }
            return rewriteFlags(mailbox, messages, ((FlagsUpdated) event).getUids());
        } finally {
            mappers.endProcessingRequest(session);
        }
    }

    private int addMessages(MailboxSession session, Mailbox mailbox, MessageMapper messages, Collection<MessageUid> uids) throws Exception {
        int count = 0;
        for (MessageRange range : MessageRange.toRanges(List.copyOf(uids))) {
            Iterator<MailboxMessage> found = messages.findInMailbox(mailbox, range, MessageMapper.FetchType.FULL, -1);
            while (found.hasNext()) {
                MailboxMessage message = found.next();
                // idempotent: a comparison with the store may have indexed it already
                access.deleteMessage(mailbox.getMailboxId(), message.getUid());
                lucene.add(session, mailbox, message).block();
                count++;
            }
        }
        indexedMessages.addAndGet(count);
        return count;
    }

    private int rewriteFlags(Mailbox mailbox, MessageMapper messages, Collection<MessageUid> uids) throws Exception {
        int count = 0;
        for (MessageRange range : MessageRange.toRanges(List.copyOf(uids))) {
            Iterator<MailboxMessage> found = messages.findInMailbox(mailbox, range, MessageMapper.FetchType.METADATA, -1);
            while (found.hasNext()) {
                MailboxMessage message = found.next();
                Flags current = message.createFlags();
                access.writeFlags(mailbox.getMailboxId(), message.getUid(), current);
                count++;
            }
        }
        return count;
    }

    private void verifyEveryMailbox() {
        try {
            Thread.sleep(settings.verifyDelay().toMillis());
            MailboxSession session = sessions.createSystemSession(MailboxReconciler.INDEXER);
            List<MailboxId> all = mappers.getMailboxMapper(session).list()
                .map(Mailbox::getMailboxId)
                .filter(this::kept)
                .collectList()
                .block();
            mappers.endProcessingRequest(session);
            for (MailboxId mailboxId : all) {
                queue.add(new Verify(mailboxId));
            }
            queue.add(new VerificationPassDone(all.size()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOGGER.warn("Search index: could not list the mailboxes to compare them with the store; each is compared before its first search", e);
        }
    }
}
