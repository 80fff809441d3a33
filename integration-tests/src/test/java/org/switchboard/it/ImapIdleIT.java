package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDLE while mail arrives: every line a client reads is a whole IMAP response, the IDLE is completed once, and
 * LOGOUT is answered by BYE and a tagged OK before the server closes. James 3.8.1 wrote IDLE's event responses from
 * a listener thread into the same buffer as DONE's completion: a client got {@code i OK*  373E com EXISTS} and the
 * tagged OK twice (2 of 600 sessions in a first run).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImapIdleIT {
    private static final String PASSWORD = "Idle-test-2468";
    private static final List<String> USERS = List.of("idle1@example.com", "idle2@example.com");
    private static final int CLIENTS = 4;
    private static final int SESSIONS_PER_CLIENT = 40;
    /** Untagged responses a session may get while IDLE or before BYE. */
    private static final Pattern UNTAGGED = Pattern.compile(
        "^\\* (\\d+ (EXISTS|RECENT|EXPUNGE)|\\d+ FETCH \\(.*\\)|OK .*)$");

    @TempDir
    static Path temp;
    private PackagedServer server;

    @BeforeAll
    void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.startWith("example.com", PASSWORD, USERS.toArray(String[]::new));
    }

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "ImapIdleIT");
    }

    @Test
    void idleAndLogoutAnswersStayWholeWhileMailArrives() throws Exception {
        AtomicBoolean idling = new AtomicBoolean(true);
        ExecutorService senders = Executors.newFixedThreadPool(USERS.size());
        List<Future<Integer>> sent = new ArrayList<>();
        for (String user : USERS) {
            sent.add(senders.submit(() -> deliverWhile(idling, user)));
        }
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> sessions = new ArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                String user = USERS.get(c % USERS.size());
                sessions.add(clients.submit(() -> {
                    for (int s = 0; s < SESSIONS_PER_CLIENT; s++) {
                        idleThenLogout(user);
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> session : sessions) {
                session.get(5, TimeUnit.MINUTES);
            }
        } finally {
            idling.set(false);
            clients.shutdownNow();
            senders.shutdown();
            senders.awaitTermination(2, TimeUnit.MINUTES);
        }
        int delivered = 0;
        for (Future<Integer> count : sent) {
            delivered += count.get();
        }
        assertThat(completed).hasValue(CLIENTS * SESSIONS_PER_CLIENT);
        assertThat(delivered).as("mail arrived while the sessions idled").isGreaterThan(CLIENTS);
    }

    private int deliverWhile(AtomicBoolean idling, String user) throws IOException {
        int sent = 0;
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            smtp.ehlo("sender.test");
            while (idling.get()) {
                byte[] message = ("From: s@sender.test\r\nTo: " + user + "\r\nSubject: idle " + sent
                    + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
                assertThat(smtp.send("s@sender.test", user, message).code()).isEqualTo(250);
                sent++;
            }
        }
        return sent;
    }

    /** One session: SELECT, IDLE until a message is announced, DONE at once (while more arrive), LOGOUT. */
    private void idleThenLogout(String user) throws IOException {
        List<String> transcript = new ArrayList<>();
        try (Socket plain = new Socket("127.0.0.1", server.imapPort)) {
            plain.setSoTimeout(30_000);
            BufferedReader in = reader(plain);
            transcript.add("S: " + in.readLine());
            command(plain.getOutputStream(), in, "t STARTTLS", transcript);
            SSLSocket tls = (SSLSocket) MailAccess.trustAllContext().getSocketFactory()
                .createSocket(plain, "127.0.0.1", server.imapPort, true);
            tls.startHandshake();
            in = reader(tls);
            OutputStream out = tls.getOutputStream();
            command(out, in, "a LOGIN \"" + user + "\" \"" + PASSWORD + "\"", transcript);
            command(out, in, "b SELECT INBOX", transcript);

            send(out, "i IDLE", transcript);
            String line = read(in, transcript);
            assertThat(line).as("%s", transcript).startsWith("+ ");
            do {
                line = read(in, transcript);
                assertThat(line).as("while idle: %s", transcript).matches(UNTAGGED);
            } while (!line.endsWith(" EXISTS"));
            send(out, "DONE", transcript);
            do {
                line = read(in, transcript);
                if (!line.startsWith("i ")) {
                    assertThat(line).as("before IDLE completes: %s", transcript).matches(UNTAGGED);
                }
            } while (!line.startsWith("i "));
            assertThat(line).as("%s", transcript).isEqualTo("i OK IDLE completed.");

            send(out, "z LOGOUT", transcript);
            List<String> afterLogout = new ArrayList<>();
            while ((line = in.readLine()) != null) {
                transcript.add("S: " + line);
                afterLogout.add(line);
            }
            // a late event may still be announced; anything else is the answer, which must be exactly this
            List<String> answer = afterLogout.stream().filter(l -> !UNTAGGED.matcher(l).matches()).toList();
            assertThat(answer).as("LOGOUT answered, IDLE completed once: %s", transcript)
                .containsExactly("* BYE IMAP4rev1 Server logging out", "z OK LOGOUT completed.");
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private static void send(OutputStream out, String line, List<String> transcript) throws IOException {
        transcript.add("C: " + line);
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String read(BufferedReader in, List<String> transcript) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("connection closed: " + transcript);
        }
        transcript.add("S: " + line);
        return line;
    }

    private static void command(OutputStream out, BufferedReader in, String command, List<String> transcript)
            throws IOException {
        send(out, command, transcript);
        String tag = command.substring(0, command.indexOf(' ') + 1);
        String line;
        do {
            line = read(in, transcript);
        } while (!line.startsWith(tag));
        assertThat(line).as("%s", transcript).startsWith(tag + "OK");
    }
}
