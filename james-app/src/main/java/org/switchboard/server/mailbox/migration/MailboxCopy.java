package org.switchboard.server.mailbox.migration;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxImport;

/**
 * Copies one mailbox of a source store into the RocksDB store as it is: path, UIDVALIDITY, ACL, annotations, and
 * every message with its UID, MODSEQ, flags, internal date and octets; then the mailbox's last UID and highest MODSEQ.
 *
 * <p>Run again after a crash, or after the source changed, it completes the copy: a message already copied under its
 * UID with the same signature is kept, one that differs is copied again, one the source no longer has is removed,
 * and a mailbox of the same path with another UIDVALIDITY (the source's was deleted and created again) is replaced.
 * Only mailboxes this migration wrote are ever changed (see {@link MailboxMigration}).
 */
final class MailboxCopy {
    /** Appends written in one synced batch, at most: as many messages or as many octets. */
    private static final int BATCH_MESSAGES = 256;
    private static final long BATCH_OCTETS = 16L * 1024 * 1024;

    record Result(Mailbox target, long copied, long alreadyThere, long removed) {
    }

    private final MailboxSessionMapperFactory source;
    private final MailboxSessionMapperFactory target;
    private final RocksDbMailboxImport importer;
    private final MailboxSession session;

    MailboxCopy(MailboxSessionMapperFactory source, MailboxSessionMapperFactory target, RocksDbMailboxImport importer,
                MailboxSession session) {
        this.source = source;
        this.target = target;
        this.importer = importer;
        this.session = session;
    }

    Result copy(Mailbox original) throws Exception {
        Mailbox copy = targetMailbox(original);
        Map<Long, MessageSignature> alreadyCopied = new HashMap<>();
        MessagePages.forEach(target, session, copy, page -> page.forEach(message ->
            alreadyCopied.put(message.getUid().asLong(), MessageSignature.of(message))));

        MessageMapper targetMessages = target.createMessageMapper(session);
        List<MailboxMessage> pending = new ArrayList<>();
        long[] pendingOctets = {0};
        long[] counts = new long[3];
        MessagePages.forEach(source, session, original, page -> {
            for (MailboxMessage message : page) {
                MessageSignature signature = MessageSignature.of(message);
                MessageSignature copied = alreadyCopied.remove(signature.uid());
                if (signature.equals(copied)) {
                    counts[1]++;
                    continue;
                }
                if (copied != null) {
                    // the source changed since this message was copied (its flags, say): copied again below
                    targetMessages.deleteMessages(copy, List.of(message.getUid()));
                    counts[2]++;
                }
                MailboxMessage imported = toImport(original, copy, message);
                pending.add(imported);
                pendingOctets[0] += imported.getFullContentOctets();
                if (pending.size() >= BATCH_MESSAGES || pendingOctets[0] >= BATCH_OCTETS) {
                    counts[0] += importer.importMessages(copy.getMailboxId(), pending);
                    pending.clear();
                    pendingOctets[0] = 0;
                }
            }
        });
        counts[0] += importer.importMessages(copy.getMailboxId(), pending);
        if (!alreadyCopied.isEmpty()) {
            // messages the source expunged since an earlier, interrupted run copied them
            targetMessages.deleteMessages(copy, alreadyCopied.keySet().stream().sorted().map(MessageUid::of).toList());
            counts[2] += alreadyCopied.size();
        }

        MessageMapper sourceMessages = source.createMessageMapper(session);
        try {
            Optional<MessageUid> lastUid = sourceMessages.getLastUid(original);
            ModSeq highestModSeq = sourceMessages.getHighestModSeq(original);
            importer.raiseCounters(copy.getMailboxId(), lastUid.orElse(MessageUid.of(0)), highestModSeq);
        } finally {
            sourceMessages.endRequest();
        }
        copyAnnotations(original, copy);
        return new Result(copy, counts[0], counts[1], counts[2]);
    }

    /** The copy of {@code original} in the target, created (same path, same UIDVALIDITY) when there is none yet. */
    private Mailbox targetMailbox(Mailbox original) throws Exception {
        MailboxMapper mailboxes = target.createMailboxMapper(session);
        Optional<Mailbox> existing = mailboxes.findMailboxByPath(original.generateAssociatedPath()).blockOptional();
        if (existing.isPresent() && !existing.get().getUidValidity().equals(original.getUidValidity())) {
            mailboxes.delete(existing.get()).block();
            existing = Optional.empty();
        }
        Mailbox copy = existing.isPresent()
            ? existing.get()
            : mailboxes.create(original.generateAssociatedPath(), original.getUidValidity()).block();
        // James' JPA store keeps no ACL (its mapper holds them in memory only): this copies what a source has
        if (!original.getACL().equals(copy.getACL())) {
            mailboxes.setACL(copy, original.getACL()).block();
        }
        return copy;
    }

    /** The source message as the target stores it: same UID, MODSEQ, flags, date, MIME properties and octets. */
    private static MailboxMessage toImport(Mailbox original, Mailbox copy, MailboxMessage message) throws Exception {
        byte[] octets;
        try (InputStream content = message.getFullContent()) {
            octets = content.readAllBytes();
        }
        // the same id every run: a copy repeated after a crash writes the same keys
        MessageId messageId = RocksDbMailboxImport.messageIdOf("jpa/" + original.getMailboxId().serialize() + "/"
            + original.getUidValidity().asLong() + "/" + message.getUid().asLong());
        return SimpleMailboxMessage.builder()
            .messageId(messageId)
            .threadId(ThreadId.fromBaseMessageId(messageId))
            .mailboxId(copy.getMailboxId())
            .uid(message.getUid())
            .modseq(message.getModSeq())
            .internalDate(new Date(message.getInternalDate().getTime()))
            .size(message.getFullContentOctets())
            .bodyStartOctet((int) (message.getFullContentOctets() - message.getBodyOctets()))
            .content(new ByteContent(octets))
            .flags(message.createFlags())
            .properties(message.getProperties())
            .build();
    }

    private void copyAnnotations(Mailbox original, Mailbox copy) {
        AnnotationMapper sourceAnnotations = source.createAnnotationMapper(session);
        AnnotationMapper targetAnnotations = target.createAnnotationMapper(session);
        try {
            List<MailboxAnnotation> annotations = sourceAnnotations.getAllAnnotations(original.getMailboxId());
            Set<MailboxAnnotationKey> keys = new HashSet<>();
            for (MailboxAnnotation annotation : annotations) {
                targetAnnotations.insertAnnotation(copy.getMailboxId(), annotation);
                keys.add(annotation.getKey());
            }
            for (MailboxAnnotation stale : targetAnnotations.getAllAnnotations(copy.getMailboxId())) {
                if (!keys.contains(stale.getKey())) {
                    targetAnnotations.deleteAnnotation(copy.getMailboxId(), stale.getKey());
                }
            }
        } finally {
            sourceAnnotations.endRequest();
        }
    }
}
