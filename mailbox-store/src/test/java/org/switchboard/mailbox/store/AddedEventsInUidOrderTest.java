package org.switchboard.mailbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.InVMEventBus;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Mono;

/**
 * Appends to one mailbox from many threads are written in shared batches: an IMAP session listening to the mailbox
 * must still hear of them in UID order, or its message numbers shift (a FETCH of the last message fails).
 */
class AddedEventsInUidOrderTest {
    @TempDir
    Path directory;

    @Test
    void concurrentAppendsToOneMailboxAreAnnouncedInUidOrder() throws Exception {
        List<Long> heard = announcedWhileAppending(16, 60, 0);

        assertThat(heard).hasSize(16 * 60);
        assertThat(heard).isSorted();
    }

    /** 32 appends at once, announced at 150 ms each: the last waits far longer than the 2 s a missing announcement is waited for. */
    @Test
    void slowButProgressingAnnouncementsKeepTheirOrder() throws Exception {
        List<Long> heard = announcedWhileAppending(32, 2, 150);

        assertThat(heard).hasSize(32 * 2);
        assertThat(heard).isSorted();
    }

    private List<Long> announcedWhileAppending(int threads, int perThread, long listenerMillis) throws Exception {
        InVMEventBus eventBus = RocksDbIntegrationResources.inVmEventBus();
        RocksDbIntegrationResources resources = RocksDbIntegrationResources.create(directory, eventBus, Optional.empty(),
            Set.of());
        try {
            RocksDbMailboxManager manager = resources.mailboxManager();
            Username user = Username.of("alice@example.com");
            MailboxSession session = manager.createSystemSession(user);
            MailboxPath inbox = MailboxPath.inbox(user);
            MailboxId inboxId = manager.createMailbox(inbox, session).orElseThrow();
            List<Long> heard = Collections.synchronizedList(new ArrayList<>());
            // a listener as an IMAP session's selected mailbox registers it: by mailbox id
            Mono.from(eventBus.register(EventListener.wrapReactive(new EventListener() {
                @Override
                public void event(Event event) throws InterruptedException {
                    if (event instanceof MailboxEvents.Added added) {
                        Thread.sleep(listenerMillis);
                        added.getUids().forEach(uid -> heard.add(uid.asLong()));
                    }
                }
            }), new MailboxIdRegistrationKey(inboxId))).block();

            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> appends = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                appends.add(pool.submit(() -> {
                    MailboxSession own = manager.createSystemSession(user);
                    MessageManager mailbox = manager.getMailbox(inbox, own);
                    for (int i = 0; i < perThread; i++) {
                        byte[] octets = ("Subject: " + thread + "-" + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
                        mailbox.appendMessage(MessageManager.AppendCommand.builder().build(octets), own);
                    }
                    return null;
                }));
            }
            for (Future<?> append : appends) {
                append.get();
            }
            pool.shutdown();
            return List.copyOf(heard);
        } finally {
            resources.close();
        }
    }
}
