package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail is never lost: clients stream messages, the server is killed with SIGKILL mid-stream, restarted, and every
 * message that had received 250 after DATA must be in the mailbox. Duplicates (a message processed again because
 * the crash came between the mailbox commit and the spool acknowledgement) are counted and reported, not failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashDurabilityIT {
    private static final String USER = "crash@example.com";
    private static final String PASSWORD = "crash-test-pw";
    private static final int SESSIONS = 4;
    private static final int TRIALS = 2;

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void startServer() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, USER);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesKillDashNine() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        int sent = 0;
        for (int trial = 1; trial <= TRIALS; trial++) {
            sent += streamThenCrash(trial, acknowledged);
            server.start();
        }
        assertThat(acknowledged).as("messages acknowledged before the crashes").hasSizeGreaterThan(20);

        // After restart the spool redelivers what was acknowledged but not yet delivered: wait until it is drained.
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(Set.copyOf(MailAccess.imapSubjects(server.imapPort, USER, PASSWORD))).containsAll(acknowledged));

        List<String> subjects = MailAccess.imapSubjects(server.imapPort, USER, PASSWORD);
        Map<String, Integer> copies = new HashMap<>();
        subjects.forEach(subject -> copies.merge(subject, 1, Integer::sum));
        long duplicates = copies.values().stream().filter(count -> count > 1).mapToLong(count -> count - 1).sum();
        long acknowledgedLost = acknowledged.stream().filter(subject -> !copies.containsKey(subject)).count();
        System.out.printf("crash test: %d trials, %d attempted, %d acknowledged with 250, %d lost, %d duplicates,"
                + " %d in mailbox (unacknowledged but delivered: %d)%n",
            TRIALS, sent, acknowledged.size(), acknowledgedLost, duplicates, subjects.size(),
            copies.keySet().stream().filter(subject -> !acknowledged.contains(subject)).count());
        assertThat(acknowledgedLost).isZero();
        assertThat(duplicates).as("stored twice (the store's delivery keys make delivery exactly once)").isZero();
    }

    /** Streams messages over several sessions, kills the server once enough are acknowledged; returns how many were attempted. */
    private int streamThenCrash(int trial, Set<String> acknowledged) throws Exception {
        AtomicBoolean crashed = new AtomicBoolean();
        AtomicInteger attempted = new AtomicInteger();
        int acknowledgedBefore = acknowledged.size();
        ExecutorService clients = Executors.newFixedThreadPool(SESSIONS);
        for (int session = 0; session < SESSIONS; session++) {
            int sessionNumber = session;
            clients.submit(() -> {
                try {
                    sendUntilFailure(trial, sessionNumber, attempted, acknowledged, crashed);
                } catch (IOException expectedWhenKilled) {
                    // the server died under this session
                }
                return null;
            });
        }
        Awaitility.await().atMost(Duration.ofMinutes(2))
            .until(() -> acknowledged.size() - acknowledgedBefore >= 150);
        crashed.set(true);
        server.kill9();
        clients.shutdown();
        assertThat(clients.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        return attempted.get();
    }

    private void sendUntilFailure(int trial, int session, AtomicInteger attempted, Set<String> acknowledged,
                                  AtomicBoolean crashed) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.smtpPort)) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, "EHLO crash-client");
            expect(in, "250");
            for (int n = 0; !crashed.get(); n++) {
                String subject = "crash-" + trial + "-" + session + "-" + n;
                attempted.incrementAndGet();
                command(out, "MAIL FROM:<sender@remote.test>");
                expect(in, "250");
                command(out, "RCPT TO:<" + USER + ">");
                expect(in, "250");
                command(out, "DATA");
                expect(in, "354");
                String message = "From: sender@remote.test\r\nTo: " + USER + "\r\nSubject: " + subject
                    + "\r\nMessage-ID: <" + subject + "@remote.test>\r\n\r\n" + "x".repeat(2000) + "\r\n.\r\n";
                out.write(message.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (expect(in, "250")) {
                    acknowledged.add(subject);
                }
            }
        }
    }

    private static void command(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads a (multi-line) reply; true when its code is the expected one, IOException when the connection died. */
    private static boolean expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(code)) {
            throw new IOException("unexpected reply " + line);
        }
        return true;
    }
}
