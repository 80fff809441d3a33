package org.switchboard.server.mailbox.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Flags;
import javax.persistence.Persistence;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.apache.james.mailbox.store.transaction.Mapper;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailbox.store.RocksDbMailboxImport;
import org.switchboard.mailbox.store.RocksDbMailboxSessionMapperFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.mailbox.store.RocksDbMessageId;
import org.switchboard.server.persistence.JpaPersistenceModule;

/**
 * The migration on James' real JPA store (embedded Derby in memory) and a real RocksDB store: a run interrupted
 * halfway is completed without duplicates, a RocksDB store with mailboxes of its own is refused, a finished migration
 * is not repeated.
 */
class MailboxMigrationTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Username ALICE = Username.of("alice@example.com");
    private static final MailboxPath INBOX = MailboxPath.inbox(ALICE);
    private static final MailboxPath ARCHIVE = MailboxPath.forUser(ALICE, "Archive");
    private static final MailboxSession SESSION = new MailboxSession(MailboxSession.SessionId.of(1),
        Username.of("test"), Optional.empty(), List.of(), '.', MailboxSession.SessionType.System);

    @TempDir
    Path directory;
    private JpaMailboxSource source;
    private RocksDbMailboxStore store;
    private Path conf;
    private Path stateFile;

    @BeforeEach
    void openStores() throws Exception {
        System.setProperty("derby.stream.error.file", "target/derby.log");
        source = new JpaMailboxSource(Persistence.createEntityManagerFactory(JpaPersistenceModule.PERSISTENCE_UNIT,
            Map.of("openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
                "openjpa.ConnectionURL", "jdbc:derby:memory:migration" + DATABASES.incrementAndGet() + ";create=true")));
        store = RocksDbMailboxStore.open(directory.resolve("mailbox"));
        conf = Files.createDirectories(directory.resolve("conf"));
        Files.writeString(conf.resolve("mailbox.properties"), "# chosen by the administrator\nmailbox.store=jpa\n");
        stateFile = directory.resolve("mailbox-migration.properties");
    }

    @AfterEach
    void closeStores() {
        store.close();
        source.close();
    }

    @Test
    void aMigrationInterruptedHalfwayIsCompletedWithoutDuplicates() throws Exception {
        Mailbox inbox = jpaMailbox(INBOX, 4242);
        for (int i = 1; i <= 5; i++) {
            jpaAppend(inbox, "Subject: " + i + "\r\n\r\nbody " + i + "\r\n", i == 2 ? new Flags(Flags.Flag.SEEN) : new Flags());
        }
        Mailbox archive = jpaMailbox(ARCHIVE, 77);
        jpaAppend(archive, "Subject: archived\r\n\r\nold\r\n", new Flags("$Done"));
        AnnotationMapper annotations = source.mappers().createAnnotationMapper(SESSION);
        annotations.execute(Mapper.toTransaction(() -> annotations.insertAnnotation(inbox.getMailboxId(),
            MailboxAnnotation.newInstance(new MailboxAnnotationKey("/private/comment"), "daily mail"))));
        annotations.endRequest();
        SubscriptionMapper subscriptions = source.mappers().createSubscriptionMapper(SESSION);
        subscriptions.execute(Mapper.toTransaction(() -> subscriptions.save(new Subscription(ALICE, "Archive"))));
        subscriptions.endRequest();
        // what a run killed after two synced batches leaves: the state file, the INBOX with its first two messages,
        // the second one copied before the source changed its flags
        MigrationState.copying(Clock.systemUTC().instant()).write(stateFile);
        RocksDbMailboxSessionMapperFactory target = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
        Mailbox partial = target.createMailboxMapper(SESSION).create(INBOX, UidValidity.of(4242)).block();
        List<MailboxMessage> firstTwo = jpaMessages(inbox).subList(0, 2);
        new RocksDbMailboxImport(store, Clock.systemUTC()).importMessages(partial.getMailboxId(), List.of(
            copyOf(partial, firstTwo.get(0), firstTwo.get(0).createFlags()),
            copyOf(partial, firstTwo.get(1), new Flags())));

        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status = migration(output).run();

        String report = output.toString(StandardCharsets.UTF_8);
        assertThat(status).as(report).isZero();
        assertThat(report).contains("Resuming the migration")
            .contains("#private:alice@example.com:INBOX: 4 messages copied, 1 copied before, 1 earlier copies replaced or removed")
            .contains("Verified: 2 mailboxes, 6 messages");
        Mailbox migrated = target.createMailboxMapper(SESSION).findMailboxByPath(INBOX).block();
        MessageMapper messages = target.createMessageMapper(SESSION);
        assertThat(messages.countMessagesInMailbox(migrated)).isEqualTo(5);
        assertThat(messages.getMailboxCounters(migrated).getUnseen()).isEqualTo(4);
        assertThat(MailboxDigest.of(target, SESSION, migrated)).isEqualTo(MailboxDigest.of(source.mappers(), SESSION, inbox));
        assertThat(target.createAnnotationMapper(SESSION).getAllAnnotations(migrated.getMailboxId()))
            .containsExactly(MailboxAnnotation.newInstance(new MailboxAnnotationKey("/private/comment"), "daily mail"));
        assertThat(target.createSubscriptionMapper(SESSION).findSubscriptionsForUser(ALICE))
            .containsExactly(new Subscription(ALICE, "Archive"));
        assertThat(MigrationState.read(stateFile).orElseThrow().phase()).isEqualTo(MigrationState.Phase.DONE);
        assertThat(Files.readString(conf.resolve("mailbox.properties")))
            .isEqualTo("# chosen by the administrator\nmailbox.store=rocksdb\n");
    }

    @Test
    void theNextUidAndModSeqGoPastThoseTheJpaStoreGaveToExpungedMessages() throws Exception {
        Mailbox inbox = jpaMailbox(INBOX, 4242);
        for (int i = 1; i <= 3; i++) {
            jpaAppend(inbox, "Subject: " + i + "\r\n\r\nbody\r\n", new Flags());
        }
        MessageMapper jpaMessages = source.mappers().createMessageMapper(SESSION);
        jpaMessages.execute(() -> jpaMessages.deleteMessages(inbox, List.of(MessageUid.of(3))));
        MessageUid lastUid = jpaMessages.getLastUid(inbox).orElseThrow();
        ModSeq highestModSeq = jpaMessages.getHighestModSeq(inbox);
        jpaMessages.endRequest();

        assertThat(migration(new ByteArrayOutputStream()).run()).isZero();

        RocksDbMailboxSessionMapperFactory target = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
        Mailbox migrated = target.createMailboxMapper(SESSION).findMailboxByPath(INBOX).block();
        assertThat(lastUid).isEqualTo(MessageUid.of(3));
        assertThat(target.createMessageMapper(SESSION).getLastUid(migrated)).contains(lastUid);
        assertThat(target.createMessageMapper(SESSION).getHighestModSeq(migrated)).isEqualTo(highestModSeq);
        assertThat(migrated.getUidValidity()).isEqualTo(UidValidity.of(4242));
    }

    @Test
    void aRocksDbStoreWithMailboxesOfItsOwnIsNeverMigratedInto() throws Exception {
        jpaAppend(jpaMailbox(INBOX, 4242), "Subject: 1\r\n\r\nbody\r\n", new Flags());
        RocksDbMailboxSessionMapperFactory target = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
        target.createMailboxMapper(SESSION).create(MailboxPath.inbox(Username.of("bob@example.com")), UidValidity.of(9)).block();

        ByteArrayOutputStream output = new ByteArrayOutputStream();
        assertThat(migration(output).run()).isEqualTo(1);

        assertThat(output.toString(StandardCharsets.UTF_8)).contains("already holds 1 mailboxes that no migration wrote");
        assertThat(target.createMailboxMapper(SESSION).list().collectList().block())
            .extracting(Mailbox::generateAssociatedPath).containsExactly(MailboxPath.inbox(Username.of("bob@example.com")));
        assertThat(Files.exists(stateFile)).isFalse();
        assertThat(Files.readString(conf.resolve("mailbox.properties"))).contains("mailbox.store=jpa");
    }

    @Test
    void aFinishedMigrationIsNotRepeated() throws Exception {
        Mailbox inbox = jpaMailbox(INBOX, 4242);
        jpaAppend(inbox, "Subject: 1\r\n\r\nbody\r\n", new Flags());
        assertThat(migration(new ByteArrayOutputStream()).run()).isZero();
        // mail the RocksDB store received since, and the JPA store does not have
        RocksDbMailboxSessionMapperFactory target = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
        Mailbox migrated = target.createMailboxMapper(SESSION).findMailboxByPath(INBOX).block();
        target.createMessageMapper(SESSION).add(migrated, newMessage(migrated, "Subject: new\r\n\r\nnew\r\n",
            new RocksDbMessageId.Factory().generate()));

        ByteArrayOutputStream output = new ByteArrayOutputStream();
        assertThat(migration(output).run()).isZero();

        assertThat(output.toString(StandardCharsets.UTF_8)).contains("Nothing done");
        assertThat(target.createMessageMapper(SESSION).countMessagesInMailbox(migrated)).isEqualTo(2);
    }

    private MailboxMigration migration(ByteArrayOutputStream output) {
        return new MailboxMigration(source, store, SESSION, stateFile, conf,
            new PrintStream(output, true, StandardCharsets.UTF_8), Clock.systemUTC());
    }

    private Mailbox jpaMailbox(MailboxPath path, long uidValidity) throws Exception {
        MailboxMapper mailboxes = source.mappers().createMailboxMapper(SESSION);
        try {
            return mailboxes.execute(() -> mailboxes.create(path, UidValidity.of(uidValidity)).block());
        } finally {
            mailboxes.endRequest();
        }
    }

    private void jpaAppend(Mailbox mailbox, String octets, Flags flags) throws Exception {
        MessageMapper messages = source.mappers().createMessageMapper(SESSION);
        try {
            SimpleMailboxMessage message = newMessage(mailbox, octets, new DefaultMessageId());
            message.setFlags(flags);
            messages.execute(() -> messages.add(mailbox, message));
        } finally {
            messages.endRequest();
        }
    }

    private List<MailboxMessage> jpaMessages(Mailbox mailbox) throws Exception {
        List<MailboxMessage> all = new ArrayList<>();
        MessagePages.forEach(source.mappers(), SESSION, mailbox, page -> {
            for (MailboxMessage message : page) {
                all.add(SimpleMailboxMessage.copyWithoutAttachments(message.getMailboxId(), message));
                all.get(all.size() - 1).setUid(message.getUid());
                all.get(all.size() - 1).setModSeq(message.getModSeq());
            }
        });
        return all;
    }

    /** As the migration copies a message (the same id), with these flags. */
    private static MailboxMessage copyOf(Mailbox target, MailboxMessage original, Flags flags) throws Exception {
        MessageId messageId = RocksDbMailboxImport.messageIdOf("jpa/" + original.getMailboxId().serialize() + "/4242/"
            + original.getUid().asLong());
        SimpleMailboxMessage copy = SimpleMailboxMessage.fromWithoutAttachments(original)
            .messageId(messageId)
            .threadId(ThreadId.fromBaseMessageId(messageId))
            .mailboxId(target.getMailboxId())
            .uid(original.getUid())
            .modseq(original.getModSeq())
            .flags(flags)
            .build();
        return copy;
    }

    private static SimpleMailboxMessage newMessage(Mailbox mailbox, String octets, MessageId messageId) {
        byte[] bytes = octets.getBytes(StandardCharsets.US_ASCII);
        return new SimpleMailboxMessage(messageId, ThreadId.fromBaseMessageId(messageId), new Date(), bytes.length,
            octets.indexOf("\r\n\r\n") + 4, new ByteContent(bytes), new Flags(), new PropertyBuilder().build(),
            mailbox.getMailboxId());
    }
}
