package org.switchboard.mailbox.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/** Mailbox annotations (RFC 5464) under mailbox id + annotation key: one key range per mailbox. */
public class RocksDbAnnotationMapper implements AnnotationMapper {
    private final RocksDbMailboxStore store;

    RocksDbAnnotationMapper(RocksDbMailboxStore store) {
        this.store = store;
    }

    @Override
    public List<MailboxAnnotation> getAllAnnotations(MailboxId mailboxId) {
        return annotationsMatching(mailboxId, annotation -> true);
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeys(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return annotationsMatching(mailboxId, annotation -> keys.contains(annotation.getKey()));
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithOneDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return annotationsMatching(mailboxId, annotation -> keys.stream().anyMatch(key -> key.isParentOrIsEqual(annotation.getKey())));
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithAllDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return annotationsMatching(mailboxId, annotation -> keys.stream().anyMatch(key -> key.isAncestorOrIsEqual(annotation.getKey())));
    }

    @Override
    public void deleteAnnotation(MailboxId mailboxId, MailboxAnnotationKey key) {
        write(batch -> batch.delete(Table.ANNOTATIONS, Keys.annotation(mailboxId, key.asString())));
    }

    @Override
    public void insertAnnotation(MailboxId mailboxId, MailboxAnnotation annotation) {
        Preconditions.checkArgument(!annotation.isNil(), "A nil annotation is deleted, not inserted");
        write(batch -> batch.put(Table.ANNOTATIONS, Keys.annotation(mailboxId, annotation.getKey().asString()),
            annotation.getValue().orElseThrow().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean exist(MailboxId mailboxId, MailboxAnnotation annotation) {
        return store.contains(Table.ANNOTATIONS, Keys.annotation(mailboxId, annotation.getKey().asString()));
    }

    @Override
    public int countAnnotations(MailboxId mailboxId) {
        return getAllAnnotations(mailboxId).size();
    }

    private List<MailboxAnnotation> annotationsMatching(MailboxId mailboxId, Predicate<MailboxAnnotation> filter) {
        ImmutableList.Builder<MailboxAnnotation> annotations = ImmutableList.builder();
        store.scan(Table.ANNOTATIONS, Keys.mailbox(mailboxId), (key, value) -> {
            MailboxAnnotation annotation = MailboxAnnotation.newInstance(new MailboxAnnotationKey(Keys.annotationKeyOf(key)),
                new String(value, StandardCharsets.UTF_8));
            if (filter.test(annotation)) {
                annotations.add(annotation);
            }
            return true;
        });
        return annotations.build();
    }

    private void write(RocksDbMailboxStore.Change change) {
        try {
            store.commit(change);
        } catch (MailboxException e) {
            throw new IllegalStateException("Cannot write an annotation to the mailbox store", e);
        }
    }
}
