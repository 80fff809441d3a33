package org.switchboard.server.mailbox.search;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import reactor.core.publisher.Mono;

/**
 * Brings the index of one mailbox in line with the store: messages the store has and the index lacks are indexed,
 * messages the index has and the store no longer has are removed, and flags that differ are rewritten from the store.
 * Exact whatever was lost (a batch not committed before a crash, a change whose event never arrived), at the cost of
 * reading the mailbox's metadata once.
 */
final class MailboxReconciler {
    static final Username INDEXER = Username.of("search-indexer");

    record Result(int indexed, int removed, int reflagged) {
        boolean changedSomething() {
            return indexed + removed + reflagged > 0;
        }
    }

    private final MailboxSessionMapperFactory mappers;
    private final SessionProvider sessions;
    private final LuceneMessageSearchIndex lucene;
    private final LuceneIndexAccess access;

    MailboxReconciler(MailboxSessionMapperFactory mappers, SessionProvider sessions, LuceneMessageSearchIndex lucene,
                      LuceneIndexAccess access) {
        this.mappers = mappers;
        this.sessions = sessions;
        this.lucene = lucene;
        this.access = access;
    }

    Result reconcile(MailboxId mailboxId) throws Exception {
        MailboxSession session = sessions.createSystemSession(INDEXER);
        try {
            Optional<Mailbox> mailbox = mappers.getMailboxMapper(session).findMailboxById(mailboxId)
                .onErrorResume(MailboxNotFoundException.class, e -> Mono.empty())
                .blockOptional();
            Map<MessageUid, Flags> indexed = access.indexedFlags(mailboxId);
            if (mailbox.isEmpty()) {
                if (!indexed.isEmpty()) {
                    lucene.delete(mailboxId, MessageRange.all());
                }
                return new Result(0, indexed.size(), 0);
            }
            return reconcile(mailbox.get(), indexed);
        } finally {
            mappers.endProcessingRequest(session);
        }
    }

    private Result reconcile(Mailbox mailbox, Map<MessageUid, Flags> indexed) throws Exception {
        MailboxId mailboxId = mailbox.getMailboxId();
        MailboxSession ownerSession = sessions.createSystemSession(mailbox.getUser());
        MessageMapper messages = mappers.getMessageMapper(ownerSession);
        Map<MessageUid, Flags> stored = new HashMap<>();
        Iterator<MailboxMessage> metadata = messages.findInMailbox(mailbox, MessageRange.all(), MessageMapper.FetchType.METADATA, -1);
        metadata.forEachRemaining(message -> stored.put(message.getUid(), message.createFlags()));

        int removed = 0;
        for (MessageUid uid : indexed.keySet()) {
            if (!stored.containsKey(uid)) {
                access.deleteMessage(mailboxId, uid);
                removed++;
            }
        }
        int indexedNow = 0;
        int reflagged = 0;
        for (Map.Entry<MessageUid, Flags> entry : stored.entrySet()) {
            Flags indexedFlags = indexed.get(entry.getKey());
            if (indexedFlags == null) {
                Iterator<MailboxMessage> full = messages.findInMailbox(mailbox, MessageRange.one(entry.getKey()), MessageMapper.FetchType.FULL, 1);
                if (full.hasNext()) {
                    access.deleteMessage(mailboxId, entry.getKey());
                    lucene.add(ownerSession, mailbox, full.next()).block();
                    indexedNow++;
                }
            } else if (!indexedFlags.equals(entry.getValue())) {
                access.writeFlags(mailboxId, entry.getKey(), entry.getValue());
                reflagged++;
            }
        }
        mappers.endProcessingRequest(ownerSession);
        return new Result(indexedNow, removed, reflagged);
    }
}
