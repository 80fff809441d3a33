package org.switchboard.mailbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery-specific behaviour of the store: exactly-once appends, durability across reopening, exact counters. */
class RocksDbDeliveryTest {
    private static final MailboxSession SESSION = MailboxSessionUtil.create(Username.of("alice@example.com"));
    private static final MailboxPath INBOX = MailboxPath.inbox(Username.of("alice@example.com"));
    private static final String OCTETS = "From: bob@example.com\r\nSubject: hello\r\n\r\nHello Alice\r\n";

    @TempDir
    Path directory;

    @Test
    void appendOnceShouldAppendTheFirstTimeAndReturnTheSameMessageAfterwards() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            DeliveryKey key = new DeliveryKey("Mail1701-1", "alice@example.com");

            Delivery first = mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS));
            Delivery second = mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS));

            assertThat(first.duplicate()).isFalse();
            assertThat(second).isEqualTo(new Delivery(inbox.getMailboxId(), first.uid(), true));
            assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(1);
        }
    }

    @Test
    void aDeliveringSessionsMapperStoresOnceAndReportsTheRepeat() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            DeliveryKey key = new DeliveryKey("Mail1701-2", "alice@example.com");

            MailboxSession firstRun = MailboxSessionUtil.create(Username.of("alice@example.com"));
            key.attachTo(firstRun);
            mappers.createMessageMapper(firstRun).add(inbox, message(inbox, OCTETS));
            MailboxSession rerun = MailboxSessionUtil.create(Username.of("alice@example.com"));
            key.attachTo(rerun);

            assertThatThrownBy(() -> mappers.createMessageMapper(rerun).add(inbox, message(inbox, OCTETS)))
                .isInstanceOf(AlreadyDeliveredException.class);
            assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(1);
            assertThat(DeliveryKey.of(SESSION)).as("a session without a key appends as usual").isEmpty();
        }
    }

    @Test
    void appendOnceShouldAppendOncePerRecipient() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);

            mappers.getMessageMapper().appendOnce(new DeliveryKey("Mail1701-1", "alice@example.com"), inbox, message(inbox, OCTETS));
            Delivery other = mappers.getMessageMapper().appendOnce(new DeliveryKey("Mail1701-1", "alias@example.com"), inbox, message(inbox, OCTETS));

            assertThat(other.duplicate()).isFalse();
            assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(2);
        }
    }

    /** Appends to one mailbox are combined into shared batches: a key must still deliver once within a batch. */
    @Test
    void concurrentAppendsOfOneKeyShouldDeliverOnce() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            DeliveryKey key = new DeliveryKey("Mail1701-1", "alice@example.com");
            ExecutorService senders = Executors.newFixedThreadPool(8);
            try {
                List<Future<Delivery>> deliveries = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    deliveries.add(senders.submit(() -> mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS))));
                }
                List<Delivery> results = new ArrayList<>();
                for (Future<Delivery> delivery : deliveries) {
                    results.add(delivery.get(1, TimeUnit.MINUTES));
                }

                assertThat(results).filteredOn(delivery -> !delivery.duplicate()).hasSize(1);
                assertThat(results).extracting(Delivery::uid).containsOnly(MessageUid.MIN_VALUE);
                assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(1);
            } finally {
                senders.shutdownNow();
                senders.awaitTermination(1, TimeUnit.MINUTES);
            }
        }
    }

    @Test
    void appendOnceShouldFindTheDeliveryAfterTheStoreIsReopened() throws Exception {
        DeliveryKey key = new DeliveryKey("Mail1701-1", "alice@example.com");
        Delivery first;
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            first = mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS));
        }

        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).findMailboxByPath(INBOX).block();

            Delivery retried = mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS));

            assertThat(retried).isEqualTo(new Delivery(inbox.getMailboxId(), first.uid(), true));
            assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(1);
        }
    }

    @Test
    void forgottenDeliveriesShouldBeAppendedAgain() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            DeliveryKey key = new DeliveryKey("Mail1701-1", "alice@example.com");
            mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS));

            store.forgetDeliveriesRecordedBefore(Instant.now().plusSeconds(1));

            assertThat(mappers.getMessageMapper().appendOnce(key, inbox, message(inbox, OCTETS)).duplicate()).isFalse();
        }
    }

    @Test
    void messagesShouldKeepTheirOctetsFlagsAndUidsAcrossReopening() throws Exception {
        String brokenMime = "Content-Type: multipart/mixed; boundary=\"" + "b".repeat(900) + "\"\r\n\r\nno start boundary\r\n";
        MessageUid uid;
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = createInbox(mappers);
            MailboxMessage message = message(inbox, brokenMime);
            message.setFlags(new Flags("$Junk"));
            uid = mappers.getMessageMapper().add(inbox, message).getUid();
        }

        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).findMailboxByPath(INBOX).block();
            MailboxMessage stored = mappers.getMessageMapper()
                .findInMailbox(inbox, MessageRange.one(uid), MessageMapper.FetchType.FULL, 1).next();

            assertThat(octetsOf(stored)).isEqualTo(brokenMime);
            assertThat(stored.createFlags()).isEqualTo(new Flags("$Junk"));
            MessageUid next = mappers.getMessageMapper().add(inbox, message(inbox, OCTETS)).getUid();
            assertThat(next).isEqualTo(uid.next());
        }
    }

    /**
     * What an IMAP session sees while mail arrives: EXISTS (from the counters) first, then the UID listing, which must
     * never hold fewer messages than EXISTS announced. Expunges and flag changes keep the counters exact too.
     */
    @Test
    void countersShouldAgreeWithTheListedMessagesWhileDeliveriesRun() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            RocksDbMessageMapper messages = mappers.getMessageMapper();
            Mailbox inbox = createInbox(mappers);
            ExecutorService writers = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> deliveries = new ArrayList<>();
                for (int writer = 0; writer < 3; writer++) {
                    deliveries.add(writers.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            messages.add(inbox, message(inbox, OCTETS));
                        }
                        return null;
                    }));
                }
                int checks = 0;
                while (!deliveries.stream().allMatch(Future::isDone)) {
                    long exists = messages.getMailboxCounters(inbox).getCount();
                    long listed = messages.listAllMessageUids(inbox).count().block();
                    assertThat(listed).isGreaterThanOrEqualTo(exists);
                    checks++;
                }
                for (Future<?> delivery : deliveries) {
                    delivery.get(1, TimeUnit.MINUTES);
                }
                assertThat(checks).isPositive();
            } finally {
                writers.shutdownNow();
                writers.awaitTermination(1, TimeUnit.MINUTES);
            }

            List<MessageUid> uids = messages.listAllMessageUids(inbox).collectList().block();
            assertThat(uids).hasSize(600).first().isEqualTo(MessageUid.MIN_VALUE);
            assertThat(uids.get(599)).isEqualTo(MessageUid.of(600));
            messages.deleteMessages(inbox, uids.subList(0, 100));
            messages.updateFlags(inbox, new FlagsUpdateCalculator(new Flags(Flags.Flag.SEEN), MessageManager.FlagsUpdateMode.ADD),
                MessageRange.range(uids.get(100), uids.get(149)));

            assertThat(messages.getMailboxCounters(inbox).getCount()).isEqualTo(500)
                .isEqualTo(messages.listAllMessageUids(inbox).count().block());
            assertThat(messages.getMailboxCounters(inbox).getUnseen()).isEqualTo(450);
        }
    }

    private static Mailbox createInbox(RocksDbMailboxSessionMapperFactory mappers) {
        return mappers.createMailboxMapper(SESSION).create(INBOX, UidValidity.of(42)).block();
    }

    private static SimpleMailboxMessage message(Mailbox mailbox, String octets) {
        MessageId messageId = new RocksDbMessageId.Factory().generate();
        byte[] bytes = octets.getBytes(StandardCharsets.US_ASCII);
        return new SimpleMailboxMessage(messageId, ThreadId.fromBaseMessageId(messageId), new Date(), bytes.length,
            octets.indexOf("\r\n\r\n") + 4, new ByteContent(bytes), new Flags(), new PropertyBuilder().build(),
            mailbox.getMailboxId());
    }

    private static String octetsOf(MailboxMessage message) throws IOException {
        try (InputStream content = message.getFullContent()) {
            return new String(content.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
