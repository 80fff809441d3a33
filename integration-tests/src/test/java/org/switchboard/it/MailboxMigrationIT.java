package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.mail.Flags;
import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Quota;
import javax.mail.Session;
import javax.mail.Store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.sun.mail.imap.IMAPFolder;
import com.sun.mail.imap.IMAPStore;

/**
 * {@code bin/switchboard migrate-mailboxes}: an installation whose mail is in the JPA store moves it to the RocksDB
 * store, and IMAP clients see the same mailboxes afterwards: same UIDVALIDITY and UIDNEXT, same UIDs, flags (system
 * and user), bytes, subscriptions and quota usage; the next delivered message gets the UID the JPA store would have
 * given it, even though the highest UIDs were expunged there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MailboxMigrationIT {
    private static final String DOMAIN = "example.com";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final String PASSWORD = "Migration-test-9713";
    private static final int ALICE_MESSAGES = 40;

    @TempDir
    static Path temp;
    private PackagedServer server;

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "MailboxMigrationIT");
    }

    @Test
    void mailboxesOfTheJpaStoreMoveToTheRocksDbStoreAsImapClientsKnewThem() throws Exception {
        server = PackagedServer.unpack(temp);
        server.rewrite("mailbox.properties", "mailbox.store=rocksdb", "mailbox.store=jpa");
        server.startWith(DOMAIN, PASSWORD, ALICE, BOB);
        server.cli("SetMaxMessageCountQuota", "#private&" + ALICE, "1000");
        server.cli("SetMaxStorageQuota", "#private&" + ALICE, "100M");
        deliver();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
            .until(() -> MailAccess.imapCount(server.imapPort, ALICE, PASSWORD) == ALICE_MESSAGES
                && MailAccess.imapCount(server.imapPort, BOB, PASSWORD) == 2);
        organise();
        Map<String, FolderView> aliceBefore = snapshot(ALICE);
        Map<String, FolderView> bobBefore = snapshot(BOB);
        List<Long> aliceQuotaBefore = quotaUsage(ALICE);
        assertThat(aliceBefore.get("INBOX").uids()).hasSize(ALICE_MESSAGES - 2).doesNotContain(4L, (long) ALICE_MESSAGES);
        assertThat(aliceBefore.get("INBOX").uidNext()).isEqualTo(ALICE_MESSAGES + 1);
        // the large message (288,000 octets of body) is among those to move
        assertThat(aliceBefore.get("INBOX").sha256().values())
            .anyMatch(digest -> Long.parseLong(digest.substring(digest.indexOf('/') + 1)) > 288_000);
        PackagedServer.Result whileRunning = PackagedServer.run(server.home, Duration.ofMinutes(1),
            "bin/switchboard", "migrate-mailboxes");
        assertThat(whileRunning.exitCode()).isEqualTo(1);
        assertThat(whileRunning.output()).contains("stop it first");
        server.stop();

        PackagedServer.Result migration = PackagedServer.run(server.home, Duration.ofMinutes(5),
            "bin/switchboard", "migrate-mailboxes");

        System.out.println("bin/switchboard migrate-mailboxes:\n" + migration.output());
        assertThat(migration.exitCode()).as(migration.output()).isZero();
        long messages = Stream.concat(aliceBefore.values().stream(), bobBefore.values().stream())
            .mapToLong(folder -> folder.flags().size()).sum();
        assertThat(migration.output()).contains("Verified: 4 mailboxes, " + messages + " messages")
            .contains("Migrated: 2 users, 4 mailboxes");
        assertThat(Files.readString(server.home.resolve("conf/mailbox.properties")))
            .contains("\nmailbox.store=rocksdb").doesNotContain("\nmailbox.store=jpa");
        server.start();
        assertThat(server.log()).contains("Mailbox store opened");
        assertThat(snapshot(ALICE)).isEqualTo(aliceBefore);
        assertThat(snapshot(BOB)).isEqualTo(bobBefore);
        assertThat(quotaUsage(ALICE)).isEqualTo(aliceQuotaBefore);

        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("origin.example");
            assertThat(smtp.send("sender@origin.example", ALICE, message("after the move", "new").getBytes(StandardCharsets.US_ASCII)).code())
                .isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> snapshot(ALICE).get("INBOX").uids().contains((long) ALICE_MESSAGES + 1));
        server.stop();

        PackagedServer.Result again = PackagedServer.run(server.home, Duration.ofMinutes(5), "bin/switchboard", "migrate-mailboxes");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("Nothing done");
    }

    /**
     * Mail for both users over SMTP: Alice's fills more than one page of the copy. The large message (above the
     * store's blob threshold) and the 8-bit one come first and alone, so they get UIDs 1 and 2 and are neither of
     * the expunged ones below.
     */
    private void deliver() throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("origin.example");
            String large = message("large", ("x".repeat(70) + "\r\n").repeat(4000));
            assertThat(smtp.send("sender@origin.example", ALICE, large.getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            String eightBit = message("eight bit", "caf\u00e9 na\u00efve \u00fc\r\n");
            assertThat(smtp.send("sender@origin.example", ALICE, eightBit.getBytes(StandardCharsets.ISO_8859_1)).code()).isEqualTo(250);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> MailAccess.imapCount(server.imapPort, ALICE, PASSWORD) == 2);
            for (int i = 3; i <= ALICE_MESSAGES; i++) {
                assertThat(smtp.send("sender@origin.example", ALICE, message("for alice " + i, "message " + i + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            }
            for (int i = 1; i <= 2; i++) {
                assertThat(smtp.send("sender@origin.example", BOB, message("for bob " + i, "hello bob\r\n")
                    .getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            }
        }
    }

    private static String message(String subject, String body) {
        return "From: sender@origin.example\r\nTo: someone@example.com\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + subject.replace(' ', '.') + "@origin.example>\r\n\r\n" + body;
    }

    /** What a user does over IMAP: folders (one below another), subscriptions, flags, copies, expunges. */
    private void organise() throws Exception {
        Store store = connect(ALICE);
        try {
            Folder work = store.getFolder("Work");
            work.create(Folder.HOLDS_MESSAGES | Folder.HOLDS_FOLDERS);
            work.setSubscribed(true);
            Folder reports = store.getFolder("Work.Reports");
            reports.create(Folder.HOLDS_MESSAGES);
            store.getFolder("INBOX").setSubscribed(true);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] messages = inbox.getMessages();
            inbox.copyMessages(new Message[] {messages[0], messages[1], messages[5]}, work);
            messages[0].setFlag(Flags.Flag.SEEN, true);
            messages[1].setFlags(new Flags(Flags.Flag.FLAGGED), true);
            messages[1].setFlags(new Flags(Flags.Flag.ANSWERED), true);
            messages[2].setFlags(new Flags("$Label1"), true);
            messages[2].setFlags(new Flags("Project-X"), true);
            messages[6].setFlags(new Flags(Flags.Flag.DRAFT), true);
            messages[7].setFlags(new Flags(Flags.Flag.DELETED), true);
            // expunged: UID 4 and the highest UID, so UIDNEXT stays above every UID still stored
            messages[3].setFlags(new Flags(Flags.Flag.DELETED), true);
            messages[ALICE_MESSAGES - 1].setFlags(new Flags(Flags.Flag.DELETED), true);
            ((IMAPFolder) inbox).expunge(new Message[] {messages[3], messages[ALICE_MESSAGES - 1]});
            inbox.close(false);
            work.open(Folder.READ_WRITE);
            work.getMessages()[2].setFlag(Flags.Flag.SEEN, true);
            work.close(false);
        } finally {
            store.close();
        }
        Store bob = connect(BOB);
        try {
            bob.getFolder("INBOX").setSubscribed(true);
            Folder inbox = bob.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.getMessages()[1].setFlag(Flags.Flag.SEEN, true);
            inbox.close(false);
        } finally {
            bob.close();
        }
    }

    /** A folder as a client caches it: UIDVALIDITY, UIDNEXT, and per UID the flags and the bytes of BODY.PEEK[]. */
    private record FolderView(long uidValidity, long uidNext, boolean subscribed, Map<Long, String> flags,
                              Map<Long, String> sha256) {
        List<Long> uids() {
            return new ArrayList<>(flags.keySet());
        }
    }

    private Map<String, FolderView> snapshot(String user) throws Exception {
        List<String> names;
        List<String> subscribed;
        Store store = connect(user);
        try {
            names = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName).toList();
            subscribed = Arrays.stream(store.getDefaultFolder().listSubscribed("*")).map(Folder::getFullName).toList();
        } finally {
            store.close();
        }
        Map<String, FolderView> folders = new TreeMap<>();
        store = connect(user);
        try {
            for (String name : names) {
                IMAPFolder folder = (IMAPFolder) store.getFolder(name);
                // read-write, left with UNSELECT: James 3.8.1 expunges on CLOSE even after EXAMINE, and a message
                // here is \Deleted (every folder was selected before, so no message is \Recent any more)
                folder.open(Folder.READ_WRITE);
                try {
                    Map<Long, String> flags = new LinkedHashMap<>();
                    Map<Long, String> contents = new LinkedHashMap<>();
                    for (Message message : folder.getMessages()) {
                        long uid = folder.getUID(message);
                        flags.put(uid, flagsOf(message.getFlags()));
                        ByteArrayOutputStream raw = new ByteArrayOutputStream();
                        message.writeTo(raw);
                        contents.put(uid, sha256(raw.toByteArray()));
                    }
                    folders.put(name, new FolderView(folder.getUIDValidity(), folder.getUIDNext(),
                        subscribed.contains(name), flags, contents));
                } finally {
                    folder.close(false);
                }
            }
        } finally {
            store.close();
        }
        return folders;
    }

    /** Usage of the user's quota root as IMAP reports it (GETQUOTAROOT): messages, then kilobytes. */
    private List<Long> quotaUsage(String user) throws Exception {
        IMAPStore store = (IMAPStore) connect(user);
        try {
            List<Long> usage = new ArrayList<>();
            for (Quota quota : store.getQuota("INBOX")) {
                for (Quota.Resource resource : quota.resources) {
                    usage.add(resource.usage);
                }
            }
            assertThat(usage).isNotEmpty();
            return usage;
        } finally {
            store.close();
        }
    }

    private static String flagsOf(Flags flags) {
        List<String> names = new ArrayList<>();
        for (Flags.Flag flag : flags.getSystemFlags()) {
            names.add(flag == Flags.Flag.ANSWERED ? "\\Answered" : flag == Flags.Flag.DELETED ? "\\Deleted"
                : flag == Flags.Flag.DRAFT ? "\\Draft" : flag == Flags.Flag.FLAGGED ? "\\Flagged"
                : flag == Flags.Flag.RECENT ? "\\Recent" : flag == Flags.Flag.SEEN ? "\\Seen" : "\\User");
        }
        names.addAll(Arrays.asList(flags.getUserFlags()));
        names.sort(String::compareTo);
        return String.join(" ", names);
    }

    private static String sha256(byte[] octets) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(octets))
            + "/" + octets.length;
    }

    private Store connect(String user) throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.starttls.enable", "true");
        props.put("mail.imap.starttls.required", "true");
        props.put("mail.imap.ssl.trust", "*");
        props.put("mail.imap.peek", "true");
        props.put("mail.imap.partialfetch", "false");
        props.put("mail.imap.connectiontimeout", "20000");
        props.put("mail.imap.timeout", "30000");
        Store store = Session.getInstance(props).getStore("imap");
        store.connect("127.0.0.1", server.imapPort, user, PASSWORD);
        return store;
    }
}
