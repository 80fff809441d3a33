package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What IMAP announces, IMAP can fetch: while messages are delivered concurrently, a client that SELECTs (or NOOPs)
 * and fetches the last announced message at once must always get it. James 3.8.1 answered SELECT's EXISTS from
 * the mailbox counters while the session's MSN map came from an earlier listing, so a message delivered in between
 * was announced but refused ({@code BAD FETCH failed. Invalid messageset}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapViewConsistencyIT {
    private static final String USER = "viewer@example.com";
    private static final String PASSWORD = "View-test-1357";
    private static final int MESSAGES = 200;
    private static final int SENDERS = 4;
    private static final int READERS = 4;
    private static final int MIN_CHECKS = 40 * READERS;
    private static final int MAX_MESSAGES = 3000;
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, USER);
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "ImapViewConsistencyIT");
    }

    @Test
    void everyAnnouncedMessageCanBeFetchedWhileMailArrives() throws Exception {
        // the senders go on until the client has checked its view often enough while mail arrived (on a fast machine
        // 200 messages may be delivered before that), within a bound
        AtomicInteger checks = new AtomicInteger();
        AtomicInteger sentCount = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> sent = new ArrayList<>();
        for (int sender = 0; sender < SENDERS; sender++) {
            sent.add(senders.submit(() -> {
                try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
                    smtp.ehlo("sender.test");
                    while (sentCount.get() < MESSAGES || checks.get() < MIN_CHECKS) {
                        int i = sentCount.getAndIncrement();
                        if (i >= MAX_MESSAGES) {
                            sentCount.decrementAndGet();
                            break;
                        }
                        byte[] message = ("From: s@sender.test\r\nTo: " + USER + "\r\nSubject: view " + i
                            + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        assertThat(smtp.send("s@sender.test", USER, message).code()).isEqualTo(250);
                    }
                }
                return null;
            }));
        }

        // several sessions read at once: each check is a chance for the view, or the order of the output, to go wrong
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        List<Future<Long>> views = new ArrayList<>();
        try {
            for (int reader = 0; reader < READERS; reader++) {
                views.add(readers.submit(() -> readUntilAllAnnounced(sent, sentCount, checks)));
            }
            for (Future<Long> view : views) {
                assertThat(view.get()).as("all messages delivered and announced").isEqualTo(sentCount.get());
            }
        } finally {
            readers.shutdownNow();
            senders.shutdown();
            senders.awaitTermination(2, TimeUnit.MINUTES);
        }
        for (Future<?> future : sent) {
            future.get();
        }
        assertThat(sentCount.get()).as("messages sent").isGreaterThanOrEqualTo(MESSAGES);
        assertThat(checks.get()).as("the view was checked while mail arrived").isGreaterThanOrEqualTo(MIN_CHECKS);
    }

    /** SELECTs (or NOOPs) and fetches the last announced message at once, until every sent message is announced. */
    private long readUntilAllAnnounced(List<Future<?>> sent, AtomicInteger sentCount, AtomicInteger checks)
        throws Exception {
        long exists = 0;
        try (Imap imap = Imap.login(server.imapPort, USER, PASSWORD)) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline) {
                boolean sendersDone = sent.stream().allMatch(Future::isDone);
                exists = imap.existsOf(imap.command("SELECT INBOX"));
                if (exists > 0) {
                    imap.fetchOk(exists);
                    if (!sendersDone) {
                        checks.incrementAndGet();
                    }
                }
                // an unsolicited EXISTS of NOOP announces messages too: they must be fetchable at once as well
                long announced = imap.existsOf(imap.command("NOOP"));
                if (announced > exists) {
                    imap.fetchOk(announced);
                    exists = announced;
                }
                if (sendersDone && exists >= sentCount.get()) {
                    break;
                }
            }
        }
        return exists;
    }

    /** A minimal IMAP client that shows the server's lines as they are (STARTTLS, then LOGIN). */
    private static final class Imap implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;
        private int tag;
        /** Every line sent and received, for the failure message: the server's exact words. */
        private final Deque<String> transcript = new ArrayDeque<>();

        static Imap login(int port, String user, String password) throws IOException {
            Imap imap = new Imap();
            imap.attach(new Socket("127.0.0.1", port));
            imap.in.readLine();
            imap.command("STARTTLS");
            SSLSocket tls = (SSLSocket) MailAccess.trustAllContext().getSocketFactory()
                .createSocket(imap.socket, "127.0.0.1", port, true);
            tls.startHandshake();
            imap.attach(tls);
            imap.command("LOGIN \"" + user + "\" \"" + password + "\"");
            return imap;
        }

        private void attach(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(30_000);
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = socket.getOutputStream();
        }

        /** Sends one command; returns every line up to the tagged reply, which must be OK. */
        List<String> command(String command) throws IOException {
            String id = "a" + (++tag);
            remember("C: " + id + " " + command);
            out.write((id + " " + command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed after " + command + ": " + lines);
                }
                lines.add(line);
                remember("S: " + line);
                if (line.startsWith(id + " ")) {
                    assertThat(line).as("reply to %s; the session's last lines:%n%s", command, transcript()).startsWith(id + " OK");
                    return lines;
                }
            }
        }

        long existsOf(List<String> lines) {
            long exists = -1;
            for (String line : lines) {
                Matcher matcher = EXISTS.matcher(line);
                if (matcher.find()) {
                    exists = Long.parseLong(matcher.group(1));
                }
            }
            return exists;
        }

        void fetchOk(long msn) throws IOException {
            List<String> lines = command("FETCH " + msn + " (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            if (lines.stream().noneMatch(line -> line.startsWith("* " + msn + " FETCH"))) {
                // what the server sends after its tagged reply tells a late (reordered) response from a lost one
                assertThat(lines).as("FETCH %d; the session's last lines:%n%s%nthen, after the tagged reply:%n%s", msn,
                    transcript(), linesArrivingWithin(2_000)).anyMatch(line -> line.startsWith("* " + msn + " FETCH"));
            }
        }

        private String linesArrivingWithin(int millis) {
            List<String> late = new ArrayList<>();
            try {
                socket.setSoTimeout(millis);
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    late.add("S: " + line);
                }
            } catch (IOException timeoutOrClosed) {
                late.add("(" + timeoutOrClosed + ")");
            }
            return String.join("\n", late);
        }

        private void remember(String line) {
            transcript.addLast(line);
            if (transcript.size() > 40) {
                transcript.removeFirst();
            }
        }

        private String transcript() {
            return String.join("\n", transcript);
        }

        @Override
        public void close() throws IOException {
            try {
                command("LOGOUT");
            } finally {
                socket.close();
            }
        }
    }
}
