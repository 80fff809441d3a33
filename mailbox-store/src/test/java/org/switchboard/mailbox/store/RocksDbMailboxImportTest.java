package org.switchboard.mailbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Date;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.collect.ImmutableList;

/** Messages imported from another store keep UID, MODSEQ, flags, internal date and octets; imports resume. */
class RocksDbMailboxImportTest {
    private static final MailboxSession SESSION = MailboxSessionUtil.create(Username.of("alice@example.com"));
    private static final MailboxPath INBOX = MailboxPath.inbox(Username.of("alice@example.com"));
    private static final Date RECEIVED = new Date(1_600_000_000_000L);

    @TempDir
    Path directory;

    @Test
    void importedMessagesKeepTheirUidModSeqFlagsDateAndOctets() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).create(INBOX, UidValidity.of(1234)).block();
            Flags answeredAndTagged = new Flags(Flags.Flag.ANSWERED);
            answeredAndTagged.add("$Work");

            int written = new RocksDbMailboxImport(store, Clock.systemUTC()).importMessages(inbox.getMailboxId(), List.of(
                message(inbox, "origin/1/3", 3, 7, new Flags(Flags.Flag.SEEN), "Subject: three\r\n\r\nthree\r\n"),
                message(inbox, "origin/1/9", 9, 12, answeredAndTagged, "Subject: nine\r\n\r\nnine\r\n")));

            assertThat(written).isEqualTo(2);
            List<MailboxMessage> stored = ImmutableList.copyOf(mappers.getMessageMapper()
                .findInMailbox(inbox, MessageRange.all(), MessageMapper.FetchType.FULL, -1));
            assertThat(stored).extracting(message -> message.getUid().asLong()).containsExactly(3L, 9L);
            assertThat(stored).extracting(message -> message.getModSeq().asLong()).containsExactly(7L, 12L);
            assertThat(stored.get(0).createFlags()).isEqualTo(new Flags(Flags.Flag.SEEN));
            assertThat(stored.get(1).createFlags()).isEqualTo(answeredAndTagged);
            assertThat(stored.get(1).getInternalDate()).isEqualTo(RECEIVED);
            assertThat(octetsOf(stored.get(1))).isEqualTo("Subject: nine\r\n\r\nnine\r\n");
            assertThat(stored.get(1).getMessageId()).isEqualTo(RocksDbMailboxImport.messageIdOf("origin/1/9"));
            assertThat(mappers.getMessageMapper().getMailboxCounters(inbox).getCount()).isEqualTo(2);
            assertThat(mappers.getMessageMapper().getMailboxCounters(inbox).getUnseen()).isEqualTo(1);
            assertThat(mappers.getMessageMapper().getApplicableFlag(inbox).contains("$Work")).isTrue();
        }
    }

    @Test
    void anImportRepeatedAfterACrashWritesOnlyWhatIsMissing() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).create(INBOX, UidValidity.of(1234)).block();
            RocksDbMailboxImport importer = new RocksDbMailboxImport(store, Clock.systemUTC());
            importer.importMessages(inbox.getMailboxId(), List.of(message(inbox, "origin/1/1", 1, 1, new Flags(), "Subject: one\r\n\r\n1\r\n")));

            int written = importer.importMessages(inbox.getMailboxId(), List.of(
                message(inbox, "origin/1/1", 1, 1, new Flags(), "Subject: one\r\n\r\n1\r\n"),
                message(inbox, "origin/1/2", 2, 2, new Flags(), "Subject: two\r\n\r\n2\r\n")));

            assertThat(written).isEqualTo(1);
            assertThat(mappers.getMessageMapper().countMessagesInMailbox(inbox)).isEqualTo(2);
            assertThat(mappers.getMessageMapper().getMailboxCounters(inbox).getUnseen()).isEqualTo(2);
        }
    }

    @Test
    void raisedCountersMakeTheNextAppendGoPastExpungedUidsAndModSeqs() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).create(INBOX, UidValidity.of(1234)).block();
            RocksDbMailboxImport importer = new RocksDbMailboxImport(store, Clock.systemUTC());
            importer.importMessages(inbox.getMailboxId(), List.of(message(inbox, "origin/1/4", 4, 5, new Flags(), "Subject: four\r\n\r\n4\r\n")));

            importer.raiseCounters(inbox.getMailboxId(), MessageUid.of(40), ModSeq.of(90));
            importer.raiseCounters(inbox.getMailboxId(), MessageUid.of(10), ModSeq.of(10));
            mappers.getMessageMapper().add(inbox, message(inbox, "new", 1, 1, new Flags(), "Subject: new\r\n\r\nnew\r\n"));

            assertThat(mappers.getMessageMapper().getLastUid(inbox)).contains(MessageUid.of(41));
            assertThat(mappers.getMessageMapper().getHighestModSeq(inbox)).isEqualTo(ModSeq.of(91));
        }
    }

    @Test
    void importingIntoAMailboxThatIsNotStoredFails() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxImport importer = new RocksDbMailboxImport(store, Clock.systemUTC());

            assertThatThrownBy(() -> importer.raiseCounters(RocksDbMailboxId.of(77), MessageUid.of(3), ModSeq.of(3)))
                .isInstanceOf(MailboxNotFoundException.class);
        }
    }

    private static SimpleMailboxMessage message(Mailbox mailbox, String origin, long uid, long modSeq, Flags flags, String octets) {
        MessageId messageId = RocksDbMailboxImport.messageIdOf(origin);
        byte[] bytes = octets.getBytes(StandardCharsets.US_ASCII);
        SimpleMailboxMessage message = new SimpleMailboxMessage(messageId, ThreadId.fromBaseMessageId(messageId), RECEIVED,
            bytes.length, octets.indexOf("\r\n\r\n") + 4, new ByteContent(bytes), flags, new PropertyBuilder().build(),
            mailbox.getMailboxId());
        message.setUid(MessageUid.of(uid));
        message.setModSeq(ModSeq.of(modSeq));
        return message;
    }

    private static String octetsOf(MailboxMessage message) throws IOException {
        try (InputStream content = message.getFullContent()) {
            return new String(content.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
