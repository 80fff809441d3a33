package org.switchboard.server.mailbox;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import javax.inject.Inject;
import javax.mail.Flags;

import org.apache.james.events.Group;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.search.ListeningMessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * IMAP SEARCH answered by reading the message store at search time ({@link SimpleMessageSearchIndex}).
 *
 * There is no separate index: delivery pays nothing for search, and a crash cannot leave an index behind the store.
 * The add/update/delete notifications therefore have nothing to do, and re-indexing (which James' administration
 * offers) completes without work. This class exists because James' re-indexing tools expect a listening index.
 */
public class StoreScanningSearchIndex extends ListeningMessageSearchIndex {
    private static final class StoreScanningSearchIndexGroup extends Group {
    }

    private static final Group GROUP = new StoreScanningSearchIndexGroup();

    private final SimpleMessageSearchIndex scanner;
    private final MailboxSessionMapperFactory mapperFactory;
    private final SessionProvider sessionProvider;

    @Inject
    public StoreScanningSearchIndex(MailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                    SimpleMessageSearchIndex scanner) {
        super(mapperFactory, ImmutableSet.of(), sessionProvider);
        this.scanner = scanner;
        this.mapperFactory = mapperFactory;
        this.sessionProvider = sessionProvider;
    }

    @Override
    public Group getDefaultGroup() {
        return GROUP;
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return ExecutionMode.SYNCHRONOUS;
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return scanner.getSupportedCapabilities(messageCapabilities);
    }

    @Override
    public Flux<MessageUid> doSearch(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        return scanner.search(session, mailbox, searchQuery);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit) throws MailboxException {
        return scanner.search(session, mailboxIds, searchQuery, limit);
    }

    @Override
    public Mono<Void> add(MailboxSession session, Mailbox mailbox, MailboxMessage message) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> delete(MailboxSession session, MailboxId mailboxId, Collection<MessageUid> expungedUids) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> deleteAll(MailboxSession session, MailboxId mailboxId) {
        return Mono.empty();
    }

    @Override
    public Mono<Void> update(MailboxSession session, MailboxId mailboxId, List<UpdatedFlags> updatedFlagsList) {
        return Mono.empty();
    }

    /** The flags as stored: what a search sees, since searches read the store. */
    @Override
    public Mono<Flags> retrieveIndexedFlags(Mailbox mailbox, MessageUid uid) {
        return Mono.fromCallable(() -> {
            MessageMapper mapper = mapperFactory.getMessageMapper(sessionProvider.createSystemSession(mailbox.getUser()));
            var messages = mapper.findInMailbox(mailbox, MessageRange.one(uid), MessageMapper.FetchType.METADATA, 1);
            return messages.hasNext() ? messages.next().createFlags() : null;
        });
    }
}
