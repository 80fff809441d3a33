package org.switchboard.server.mailbox.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailbox.store.RocksDbMailboxSessionMapperFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.mailbox.store.RocksDbMessageId;

/** Pages bounded by count and by octets visit every message once, in UID order; a large message alone. */
class MessagePagesTest {
    private static final MailboxSession SESSION = new MailboxSession(MailboxSession.SessionId.of(1),
        Username.of("test"), Optional.empty(), List.of(), '.', MailboxSession.SessionType.System);

    @TempDir
    Path directory;

    @Test
    void pagesAreBoundedByCountAndOctetsAndVisitEveryMessageOnce() throws Exception {
        try (RocksDbMailboxStore store = RocksDbMailboxStore.open(directory)) {
            RocksDbMailboxSessionMapperFactory mappers = new RocksDbMailboxSessionMapperFactory(store, Clock.systemUTC());
            Mailbox inbox = mappers.createMailboxMapper(SESSION).create(MailboxPath.inbox(Username.of("a@example.com")),
                UidValidity.of(5)).block();
            int[] sizes = {100, 100, 100, 1000, 100, 100, 100};
            for (int size : sizes) {
                mappers.getMessageMapper().add(inbox, message(inbox, size));
            }

            List<List<Long>> pages = new ArrayList<>();
            MessagePages.forEach(mappers, SESSION, inbox, 3, 250, page ->
                pages.add(page.stream().map(message -> message.getUid().asLong()).toList()));

            assertThat(pages).containsExactly(List.of(1L, 2L), List.of(3L), List.of(4L), List.of(5L, 6L), List.of(7L));
        }
    }

    private static SimpleMailboxMessage message(Mailbox mailbox, int size) {
        String header = "Subject: s\r\n\r\n";
        byte[] bytes = (header + "x".repeat(size - header.length())).getBytes(StandardCharsets.US_ASCII);
        MessageId messageId = new RocksDbMessageId.Factory().generate();
        return new SimpleMailboxMessage(messageId, ThreadId.fromBaseMessageId(messageId), new Date(), bytes.length,
            header.length(), new ByteContent(bytes), new Flags(), new PropertyBuilder().build(), mailbox.getMailboxId());
    }
}
