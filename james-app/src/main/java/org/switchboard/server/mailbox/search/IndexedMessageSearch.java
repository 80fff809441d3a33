package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.events.Event;
import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.events.MailboxEvents.MailboxEvent;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.lucene.store.FSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * IMAP SEARCH answered from a Lucene index (James' {@link LuceneMessageSearchIndex}) kept beside the message store,
 * for the RocksDB and the JPA store alike.
 *
 * Delivery only queues the mailbox event ({@link SearchIndexWorker} indexes on its own thread and commits in
 * batches); a search waits until what was announced before it is indexed, so a delivered message is found at once.
 * A search the index cannot answer in time (a long backlog, a failing index) reads the store instead
 * ({@link SimpleMessageSearchIndex}): slower, never wrong. After a {@code kill -9} each mailbox is compared with the
 * store before its first search (see {@link MailboxReconciler}); start-up does no indexing work.
 */
public class IndexedMessageSearch extends ListeningMessageSearchIndex {
    private static final Logger LOGGER = LoggerFactory.getLogger(IndexedMessageSearch.class);

    public static final class IndexedMessageSearchGroup extends Group {
    }

    private static final Group GROUP = new IndexedMessageSearchGroup();
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final SwitchboardLuceneIndex lucene;
    private final SearchIndexWorker worker;
    private final SimpleMessageSearchIndex scanner;
    private final IndexSettings settings;

    IndexedMessageSearch(MailboxSessionMapperFactory mappers, SessionProvider sessions, MailboxId.Factory mailboxIds,
                         MessageId.Factory messageIds, SimpleMessageSearchIndex scanner, Path directory,
                         IndexSettings settings) throws IOException {
        super(mappers, ImmutableSet.of(), sessions);
        IndexFormat.ensureCurrent(directory);
        this.lucene = SwitchboardLuceneIndex.open(mappers, mailboxIds, FSDirectory.open(directory.toFile()), messageIds, sessions);
        this.worker = new SearchIndexWorker(mappers, sessions, lucene, new CleanStopMark(directory), settings);
        this.scanner = scanner;
        this.settings = settings;
        worker.start();
        LOGGER.info("Search index opened in {}", directory);
    }

    /** The index as configured, with the default settings otherwise (built by Guice, so that it is closed at stop). */
    @Inject
    public IndexedMessageSearch(MailboxSessionMapperFactory mappers, SessionProvider sessions, MailboxId.Factory mailboxIds,
                                MessageId.Factory messageIds, SimpleMessageSearchIndex scanner,
                                SearchIndexConfiguration configuration) throws IOException {
        this(mappers, sessions, mailboxIds, messageIds, scanner, configuration.directory(),
            IndexSettings.DEFAULT.withIndexOnDelivery(configuration.indexOnDelivery()));
    }

    @PreDestroy
    public void close() throws IOException {
        worker.stop(STOP_TIMEOUT);
        lucene.close();
        LOGGER.info("Search index closed");
    }

    /** For tests: what a {@code kill -9} leaves, the last commit and no clean-stop mark; releases the index's lock. */
    void abandonLikeACrash() throws IOException {
        worker.abandon();
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    /** Synchronous, so the event is queued before the append returns; queuing is all the delivering thread does. */
    @Override
    public ExecutionMode getExecutionMode() {
        return ExecutionMode.SYNCHRONOUS;
    }

    @Override
    public Mono<Void> reactiveEvent(Event event) {
        return Mono.fromRunnable(() -> worker.enqueue((MailboxEvent) event));
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return lucene.getSupportedCapabilities(messageCapabilities);
    }

    @Override
    protected Flux<MessageUid> doSearch(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        if (listsUidsOnly(searchQuery)) {
            // SELECT/EXAMINE list the mailbox this way (James' SelectedMailboxImpl): never wait for the indexer
            return scanner.search(session, mailbox, searchQuery);
        }
        IndexQueryAdapter.Adapted adapted = IndexQueryAdapter.adapt(searchQuery);
        if (adapted.fidelity() == IndexQueryAdapter.Fidelity.STORE_ONLY || !caughtUp(List.of(mailbox.getMailboxId()))) {
            return scanner.search(session, mailbox, searchQuery);
        }
        Flux<MessageUid> hits = lucene.doSearch(session, mailbox, adapted.query());
        if (adapted.fidelity() == IndexQueryAdapter.Fidelity.EXACT) {
            return hits;
        }
        // a phrase searched as its words: the store reads only the messages that have them all, and keeps the right ones
        return hits.collectList().flatMapMany(candidates -> candidates.isEmpty()
            ? Flux.empty()
            : Flux.defer(() -> searchAmong(session, mailbox, candidates, searchQuery)));
    }

    private Flux<MessageUid> searchAmong(MailboxSession session, Mailbox mailbox, List<MessageUid> candidates,
                                         SearchQuery searchQuery) {
        // the store narrows its reading to the first UID criterion of the query (SimpleMessageSearchIndex)
        SearchQuery narrowed = SearchQuery.builder()
            .andCriteria(SearchQuery.uid(MessageRange.toRanges(candidates).stream()
                .map(range -> new SearchQuery.UidRange(range.getUidFrom(), range.getUidTo()))
                .toArray(SearchQuery.UidRange[]::new)))
            .andCriteria(searchQuery.getCriteria())
            .sorts(searchQuery.getSorts())
            .addRecentMessageUids(searchQuery.getRecentMessageUids())
            .build();
        return scanner.search(session, mailbox, narrowed);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit) throws MailboxException {
        IndexQueryAdapter.Adapted adapted = IndexQueryAdapter.adapt(searchQuery);
        // a search over several mailboxes gives message ids, not UIDs the store could narrow to: an inexact one reads the store
        if (adapted.fidelity() == IndexQueryAdapter.Fidelity.EXACT && caughtUp(mailboxIds)) {
            return lucene.search(session, mailboxIds, adapted.query(), limit);
        }
        return scanner.search(session, mailboxIds, searchQuery, limit);
    }

    /** "ALL" or UID ranges: the store answers from its metadata, no text to look for. */
    private static boolean listsUidsOnly(SearchQuery searchQuery) {
        return !searchQuery.getCriteria().isEmpty() && searchQuery.getCriteria().stream()
            .allMatch(criterion -> criterion instanceof SearchQuery.AllCriterion || criterion instanceof SearchQuery.UidCriterion);
    }

    private boolean caughtUp(Collection<MailboxId> mailboxIds) throws MailboxException {
        try {
            return worker.catchUp(mailboxIds, settings.searchWait());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailboxException("interrupted while the search index caught up", e);
        }
    }

    // James' re-indexing tasks (WebAdmin) write through these; the index writer is safe for concurrent use.

    @Override
    public Mono<Void> add(MailboxSession session, Mailbox mailbox, MailboxMessage message) {
        return lucene.delete(session, mailbox.getMailboxId(), List.of(message.getUid()))
            .then(lucene.add(session, mailbox, message));
    }

    @Override
    public Mono<Void> delete(MailboxSession session, MailboxId mailboxId, Collection<MessageUid> expungedUids) {
        return lucene.delete(session, mailboxId, expungedUids);
    }

    @Override
    public Mono<Void> deleteAll(MailboxSession session, MailboxId mailboxId) {
        return lucene.deleteAll(session, mailboxId);
    }

    @Override
    public Mono<Void> update(MailboxSession session, MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        return lucene.update(session, mailboxId, updatedFlagsList);
    }

    @Override
    public Mono<Flags> retrieveIndexedFlags(Mailbox mailbox, MessageUid uid) {
        return Mono.fromCallable(() -> caughtUp(List.of(mailbox.getMailboxId())))
            .flatMap(ignored -> lucene.retrieveIndexedFlags(mailbox, uid));
    }

    long indexedMessages() {
        return worker.indexedMessages();
    }
}
