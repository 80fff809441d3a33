package org.switchboard.mailbox.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Lock;

import org.apache.james.core.Username;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Batch;
import org.switchboard.mailbox.store.RocksDbMailboxStore.Table;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * James' mailbox mapper over the RocksDB store: mailboxes by id, an index by path (namespace, user, name: one key
 * range per user), and ACLs persisted beside them.
 */
public class RocksDbMailboxMapper implements MailboxMapper {
    private final RocksDbMailboxStore store;
    private final MessageTable messages;

    RocksDbMailboxMapper(RocksDbMailboxStore store, MessageTable messages) {
        this.store = store;
        this.messages = messages;
    }

    @Override
    public Mono<Mailbox> create(MailboxPath mailboxPath, UidValidity uidValidity) {
        return Mono.fromCallable(() -> {
            store.catalogLock().lock();
            try (Batch batch = store.batch()) {
                byte[] pathKey = Keys.path(mailboxPath);
                if (store.contains(Table.MAILBOX_PATHS, pathKey)) {
                    throw new MailboxExistsException(mailboxPath.asString());
                }
                Mailbox mailbox = new Mailbox(mailboxPath, uidValidity, store.allocateMailboxId(batch));
                byte[] idKey = Keys.mailbox(mailbox.getMailboxId());
                batch.put(Table.MAILBOXES, idKey, MailboxRecords.encode(mailbox))
                    .put(Table.MAILBOX_PATHS, pathKey, idKey)
                    .commit();
                return mailbox;
            } finally {
                store.catalogLock().unlock();
            }
        });
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return Mono.fromCallable(() -> {
            store.catalogLock().lock();
            try (Batch batch = store.batch()) {
                Mailbox previous = load(mailbox.getMailboxId())
                    .orElseThrow(() -> new MailboxNotFoundException(mailbox.getMailboxId()));
                byte[] newPathKey = Keys.path(mailbox.generateAssociatedPath());
                if (store.contains(Table.MAILBOX_PATHS, newPathKey)) {
                    throw new MailboxExistsException(mailbox.getName());
                }
                byte[] idKey = Keys.mailbox(mailbox.getMailboxId());
                batch.delete(Table.MAILBOX_PATHS, Keys.path(previous.generateAssociatedPath()))
                    .put(Table.MAILBOX_PATHS, newPathKey, idKey)
                    .put(Table.MAILBOXES, idKey, MailboxRecords.encode(mailbox))
                    .commit();
                return mailbox.getMailboxId();
            } finally {
                store.catalogLock().unlock();
            }
        });
    }

    /** Deletes the mailbox with its messages (James' manager leaves them to the store) and its counters. */
    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        return Mono.<Void>fromCallable(() -> {
            MailboxId mailboxId = mailbox.getMailboxId();
            Lock lock = store.lockOf(mailboxId);
            store.catalogLock().lock();
            lock.lock();
            try (Batch batch = store.batch()) {
                List<SimpleMailboxMessage> contained = messages.findInMailbox(mailboxId, MessageRange.all(), MessageMapper.UNLIMITED);
                batch.lockMessages(contained.stream().map(SimpleMailboxMessage::getMessageId).toList());
                for (SimpleMailboxMessage message : contained) {
                    messages.remove(batch, message);
                }
                byte[] idKey = Keys.mailbox(mailboxId);
                batch.delete(Table.MAILBOXES, idKey)
                    .delete(Table.MAILBOX_PATHS, Keys.path(mailbox.generateAssociatedPath()))
                    .delete(Table.ACLS, idKey)
                    .delete(Table.COUNTERS, idKey)
                    .commit();
                return null;
            } finally {
                lock.unlock();
                store.catalogLock().unlock();
            }
        });
    }

    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath mailboxPath) {
        return Mono.fromCallable(() -> Optional.ofNullable(store.get(Table.MAILBOX_PATHS, Keys.path(mailboxPath))))
            .flatMap(Mono::justOrEmpty)
            .flatMap(idKey -> Mono.fromCallable(() -> load(RocksDbMailboxId.of(Keys.readLong(idKey)))))
            .flatMap(Mono::justOrEmpty);
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId mailboxId) {
        return Mono.fromCallable(() -> load(mailboxId))
            .flatMap(Mono::justOrEmpty)
            .switchIfEmpty(Mono.error(() -> new MailboxNotFoundException(mailboxId)));
    }

    @Override
    public Flux<Mailbox> findNonPersonalMailboxes(Username userName, MailboxACL.Right right) {
        MailboxACL.EntryKey user = MailboxACL.EntryKey.createUserEntryKey(userName);
        return Flux.defer(() -> {
            List<RocksDbMailboxId> granted = new ArrayList<>();
            store.scan(Table.ACLS, new byte[0], (key, value) -> {
                MailboxACL.Rfc4314Rights rights = aclOf(value).ofPositiveNameType(MailboxACL.NameType.user).get(user);
                if (rights != null && rights.contains(right)) {
                    granted.add(RocksDbMailboxId.of(Keys.readLong(key)));
                }
                return true;
            });
            return Flux.fromIterable(granted);
        }).flatMap(id -> Mono.fromCallable(() -> load(id)).flatMap(Mono::justOrEmpty));
    }

    @Override
    public Flux<Mailbox> findMailboxWithPathLike(MailboxQuery.UserBound query) {
        byte[] userRange = Keys.utf8(Keys.userPrefix(query.getFixedNamespace(), query.getFixedUser()));
        return mailboxesIn(userRange).filter(query::matches);
    }

    @Override
    public Mono<Boolean> hasChildren(Mailbox mailbox, char delimiter) {
        MailboxPath children = new MailboxPath(mailbox.getNamespace(), mailbox.getUser(), mailbox.getName() + delimiter);
        return Mono.fromCallable(() -> {
            boolean[] found = {false};
            store.scan(Table.MAILBOX_PATHS, Keys.path(children), (key, value) -> !(found[0] = true));
            return found[0];
        });
    }

    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand command) {
        return changeAcl(mailbox, acl -> acl.apply(command));
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL acl) {
        return changeAcl(mailbox, ignored -> acl);
    }

    @Override
    public Flux<Mailbox> list() {
        return mailboxesIn(new byte[0]);
    }

    private interface AclChange {
        MailboxACL apply(MailboxACL acl) throws MailboxException;
    }

    private Mono<ACLDiff> changeAcl(Mailbox mailbox, AclChange change) {
        return Mono.fromCallable(() -> {
            MailboxId mailboxId = mailbox.getMailboxId();
            Lock lock = store.lockOf(mailboxId);
            lock.lock();
            try (Batch batch = store.batch()) {
                byte[] idKey = Keys.mailbox(mailboxId);
                MailboxACL oldAcl = MailboxRecords.decodeAcl(store.get(Table.ACLS, idKey));
                MailboxACL newAcl = change.apply(oldAcl);
                batch.put(Table.ACLS, idKey, MailboxRecords.encode(newAcl)).commit();
                mailbox.setACL(newAcl);
                return ACLDiff.computeDiff(oldAcl, newAcl);
            } finally {
                lock.unlock();
            }
        });
    }

    private Flux<Mailbox> mailboxesIn(byte[] pathPrefix) {
        return Flux.defer(() -> {
            List<RocksDbMailboxId> ids = new ArrayList<>();
            store.scan(Table.MAILBOX_PATHS, pathPrefix, (key, value) -> ids.add(RocksDbMailboxId.of(Keys.readLong(value))));
            return Flux.fromIterable(ids);
        }).flatMap(id -> Mono.fromCallable(() -> load(id)).flatMap(Mono::justOrEmpty), 1);
    }

    private Optional<Mailbox> load(MailboxId mailboxId) throws MailboxException {
        byte[] idKey = Keys.mailbox(mailboxId);
        byte[] record = store.get(Table.MAILBOXES, idKey);
        if (record == null) {
            return Optional.empty();
        }
        return Optional.of(MailboxRecords.decode((RocksDbMailboxId) mailboxId, record,
            MailboxRecords.decodeAcl(store.get(Table.ACLS, idKey))));
    }

    private static MailboxACL aclOf(byte[] value) {
        try {
            return MailboxRecords.decodeAcl(value);
        } catch (MailboxException e) {
            throw new IllegalStateException("Unreadable ACL in the mailbox store", e);
        }
    }
}
