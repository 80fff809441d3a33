package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.UIDFolder;
import javax.mail.search.BodyTerm;
import javax.mail.search.FlagTerm;
import javax.mail.search.FromStringTerm;
import javax.mail.search.SearchTerm;
import javax.mail.search.SubjectTerm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * IMAP SEARCH through the search index of the packaged server: a message is found by the first SEARCH after it
 * shows in the INBOX (no retry), flags are searchable, and after {@code kill -9} (the index's last changes never
 * committed) and a restart, SEARCH finds every message again, with its flags, and no expunged one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapSearchIT {
    private static final String USER = "searcher@example.com";
    private static final String PASSWORD = "Search-test-8642";
    private static final int MESSAGES = 12;
    private static final Duration DELIVERY = Duration.ofSeconds(90);

    private PackagedServer server;

    /** The message store under test ({@code mailbox.store}); the shipped one here. */
    protected String store() {
        return "rocksdb";
    }

    @BeforeAll
    void boot(@TempDir Path temp) throws Exception {
        server = PackagedServer.unpack(temp);
        if (!store().equals("rocksdb")) {
            server.rewrite("mailbox.properties", "mailbox.store=rocksdb", "mailbox.store=" + store());
        }
        server.startWith("example.com", PASSWORD, USER);
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, getClass().getSimpleName());
    }

    @Test
    void deliveredMessagesAreFoundAtOnceAndAgainAfterKillDashNine() throws Exception {
        for (int i = 0; i < MESSAGES; i++) {
            deliver(i);
            int expected = i + 1;
            await().atMost(DELIVERY).until(() -> MailAccess.imapCount(server.imapPort, USER, PASSWORD) == expected);
            // the first SEARCH after the message shows must find it: no retry
            assertThat(search(new SubjectTerm(topic(i)))).containsExactly(uidOfNumber(i));
            assertThat(search(new FromStringTerm(writer(i)))).containsExactly(uidOfNumber(i));
            assertThat(search(new BodyTerm(bodyWord(i)))).containsExactly(uidOfNumber(i));
        }
        flag(uidOfNumber(3), Flags.Flag.FLAGGED);
        flag(uidOfNumber(5), Flags.Flag.DELETED);
        expungeDeleted();
        assertThat(search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true))).containsExactly(uidOfNumber(3));
        assertThat(search(new SubjectTerm(topic(5)))).isEmpty();

        server.kill9();
        server.start();

        assertThat(search(new SubjectTerm("shared"))).hasSize(MESSAGES - 1).doesNotContain(uidOfNumber(5));
        for (int i = 0; i < MESSAGES; i++) {
            List<Long> expected = i == 5 ? List.of() : List.of(uidOfNumber(i));
            assertThat(search(new BodyTerm(bodyWord(i)))).as("%s after kill -9", bodyWord(i)).isEqualTo(expected);
            assertThat(search(new FromStringTerm(writer(i)))).isEqualTo(expected);
        }
        assertThat(search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true))).containsExactly(uidOfNumber(3));

        // and the index goes on after the restart
        deliver(MESSAGES);
        await().atMost(DELIVERY).until(() -> MailAccess.imapCount(server.imapPort, USER, PASSWORD) == MESSAGES);
        assertThat(search(new SubjectTerm(topic(MESSAGES)))).containsExactly(uidOfNumber(MESSAGES));
    }

    /** Message i gets UID i + 1: messages are delivered one at a time into a new INBOX. */
    private static long uidOfNumber(int i) {
        return i + 1;
    }

    // three digits: IMAP SEARCH matches substrings, so "bodyword1" would also find "bodyword10"
    private static String topic(int i) {
        return String.format("topic%03d", i);
    }

    private static String writer(int i) {
        return String.format("writer%03d@origin.example", i);
    }

    private static String bodyWord(int i) {
        return String.format("bodyword%03d", i);
    }

    private void deliver(int i) throws Exception {
        String from = writer(i);
        byte[] message = ("From: " + from + "\r\nTo: " + USER + "\r\nSubject: shared " + topic(i) + "\r\n\r\n"
            + "Some text with " + bodyWord(i) + " inside.\r\n").getBytes(StandardCharsets.US_ASCII);
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("origin.example");
            assertThat(smtp.send(from, USER, message).code()).isEqualTo(250);
        }
    }

    private List<Long> search(SearchTerm term) throws Exception {
        return withInbox(Folder.READ_ONLY, inbox -> {
            Message[] found = inbox.search(term);
            UIDFolder uids = (UIDFolder) inbox;
            long[] result = new long[found.length];
            for (int i = 0; i < found.length; i++) {
                result[i] = uids.getUID(found[i]);
            }
            return Arrays.stream(result).sorted().boxed().toList();
        });
    }

    private void flag(long uid, Flags.Flag flag) throws Exception {
        withInbox(Folder.READ_WRITE, inbox -> {
            ((UIDFolder) inbox).getMessageByUID(uid).setFlag(flag, true);
            return null;
        });
    }

    private void expungeDeleted() throws Exception {
        withInbox(Folder.READ_WRITE, inbox -> inbox.expunge());
    }

    private interface InboxAction<T> {
        T run(Folder inbox) throws Exception;
    }

    private <T> T withInbox(int mode, InboxAction<T> action) throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.starttls.enable", "true");
        props.put("mail.imap.starttls.required", "true");
        props.put("mail.imap.ssl.trust", "*");
        props.put("mail.imap.connectiontimeout", "20000");
        props.put("mail.imap.timeout", "60000");
        Store store = Session.getInstance(props).getStore("imap");
        store.connect("127.0.0.1", server.imapPort, USER, PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(mode);
            try {
                return action.run(inbox);
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }
}
