package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * The packaged server against real clients from Debian: {@code swaks} sends (MX port in clear and with STARTTLS,
 * submission with STARTTLS + AUTH LOGIN/PLAIN, relay attempts from a "remote" host 127.0.0.2), then {@code fetchmail}
 * (IMAP with STARTTLS, POP3 with STLS) and Python's {@code imaplib}/{@code poplib} read the mailbox back, and every
 * subject and body must be what swaks sent.
 *
 * <p>The tests run in order on one server: the senders ({@code @Order} 1-7) record what they handed over, the readers
 * (10-13) expect exactly that. Run the whole class, not a single reader.
 *
 * <p>Needs the Debian packages swaks, libnet-ssleay-perl, fetchmail and python3 ({@code .ci/run} installs them);
 * without them the class fails and names the packages.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteropIT {
    private static final String DOMAIN = "example.test";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String ALICE_PASSWORD = "Al1ce-interop!";
    private static final String BOB = "bob@" + DOMAIN;
    private static final String BOB_PASSWORD = "B0b-interop?";
    /** A sender on the Internet, writing to a local user through the MX port. */
    private static final String REMOTE_SENDER = "carol@remote.test";
    /** Never resolves (RFC 2606): relayed mail there ends in SMTPC (deferred or failed), which logs it. */
    private static final String FOREIGN_DOMAIN = "foreign.invalid";
    private static final String REMOTE_HOST = "127.0.0.2";

    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(120);
    private static final Pattern SWAKS_REPLY = Pattern.compile("^\\s*<(-|~|\\*\\*|~\\*)\\s+(.*)$");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path temp;
    private static Path home;
    private static PackagedServer server;

    /** What the senders handed to the server for {@link #ALICE}, in order; the readers expect exactly this. */
    private static final List<Mail> SENT_TO_ALICE = Collections.synchronizedList(new ArrayList<>());

    record Mail(String subject, String body) {
        static Mail of(String label, String text) {
            return new Mail("Interop " + RUN + " " + label, text + "\nrun " + RUN + ": " + label);
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        home = Files.createDirectories(temp.resolve("home"));
        DebianPrograms.requireAll(List.of(
                new Program("swaks", "swaks"),
                new Program("fetchmail", "fetchmail"),
                new Program("python3", "python3")), missingFeatures());
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        server.startWith(DOMAIN, ALICE_PASSWORD, ALICE);
        server.cli("AddUser", BOB, BOB_PASSWORD);
    }

    /** Parts of the packages that the programs need but do not pull in with --no-install-recommends. */
    private static Map<String, String> missingFeatures() {
        Map<String, String> missing = new LinkedHashMap<>();
        if (DebianPrograms.locate("swaks") != null) {
            Outcome support = run(List.of("swaks", "--support"));
            if (!support.output().contains("=== TLS supported")) {
                String said = support.output().lines().filter(line -> line.contains("TLS")).findFirst()
                        .orElse(support.output().strip());
                missing.put("Perl's Net::SSLeay for 'swaks -tls' (swaks --support: " + said + ")", "libnet-ssleay-perl");
            }
        }
        if (DebianPrograms.locate("python3") != null) {
            Outcome modules = run(List.of("python3", "-c", "import ssl, imaplib, poplib, email"));
            if (modules.exitCode() != 0) {
                missing.put("Python modules ssl, imaplib, poplib (" + modules.output().strip() + ")", "python3");
            }
        }
        return missing;
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } finally {
            Path log = server.home.resolve("var/log/switchboard.log");
            if (Files.exists(log)) {
                Path kept = Files.createDirectories(Path.of("target", "interop-logs"));
                Files.copy(log, kept.resolve("InteropIT-switchboard.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    // ---------------------------------------------------------------- sending: swaks

    @Test
    @Order(1)
    void mxPortAcceptsPlainSmtpForALocalUser() {
        // a line starting with a dot checks SMTP transparency (RFC 5321 4.5.2) through the whole chain
        Mail mail = Mail.of("(a) plain SMTP to the MX port", "Plain SMTP from 127.0.0.1.\n.a line that starts with a dot\n..and two dots\n");
        Outcome swaks = swaks(server.smtpPort, List.of("--from", REMOTE_SENDER, "--to", ALICE), mail);
        assertAccepted(swaks);
        SENT_TO_ALICE.add(mail);
        assertThat(swaks.output()).as(swaks.describe()).doesNotContain("TLS started");
    }

    @Test
    @Order(2)
    void mxPortAcceptsPlainSmtpFromARemoteHostForALocalUser() {
        Mail mail = Mail.of("(a) plain SMTP from a remote host", "Plain SMTP from " + REMOTE_HOST + ", the MX duty.");
        Outcome swaks = swaks(server.smtpPort, List.of("--local-interface", REMOTE_HOST, "--from", REMOTE_SENDER, "--to", ALICE), mail);
        assertAccepted(swaks);
        SENT_TO_ALICE.add(mail);
        assertThat(clearReplies(swaks)).as("EHLO in clear to a remote host offers STARTTLS but no AUTH\n" + swaks.describe())
                .anyMatch(line -> line.matches("250[- ]STARTTLS"))
                .noneMatch(line -> line.matches("250[- ]AUTH\\b.*"));
    }

    @Test
    @Order(3)
    void mxPortAcceptsStartTls() {
        Mail mail = Mail.of("(b) STARTTLS to the MX port", "Sent inside TLS after STARTTLS.");
        Outcome swaks = swaks(server.smtpPort, List.of("-tls", "--from", REMOTE_SENDER, "--to", ALICE), mail);
        assertAccepted(swaks);
        SENT_TO_ALICE.add(mail);
        assertThat(swaks.output()).as(swaks.describe()).contains("=== TLS started");
        assertThat(tlsReplies(swaks)).as("127.0.0.1 is an authorized network: no AUTH announced even inside TLS\n" + swaks.describe())
                .anyMatch(line -> line.startsWith("250"))
                .noneMatch(line -> line.matches("250[- ]AUTH\\b.*"));
    }

    @Test
    @Order(4)
    void submissionWithStartTlsAndAuthLoginDeliversToALocalUser() {
        submitToAlice("LOGIN");
    }

    @Test
    @Order(5)
    void submissionWithStartTlsAndAuthPlainDeliversToALocalUser() {
        submitToAlice("PLAIN");
    }

    private void submitToAlice(String mechanism) {
        Mail mail = Mail.of("(c) submission AUTH " + mechanism, "Submitted with STARTTLS and AUTH " + mechanism + ".");
        Outcome swaks = swaks(server.submissionPort, List.of("-tls", "--auth", mechanism, "--auth-user", ALICE,
                "--auth-password", ALICE_PASSWORD, "--from", ALICE, "--to", ALICE), mail);
        assertAccepted(swaks);
        SENT_TO_ALICE.add(mail);
        assertThat(clearReplies(swaks)).as("no AUTH before STARTTLS\n" + swaks.describe())
                .noneMatch(line -> line.matches("250[- ]AUTH\\b.*"));
        assertThat(tlsReplies(swaks)).as(swaks.describe())
                .anyMatch(line -> line.matches("250[- ]AUTH\\b.*\\b" + mechanism + "\\b.*"))
                .anyMatch(line -> line.startsWith("235"));
    }

    @Test
    @Order(6)
    void submissionWithStartTlsAndAuthRelaysToAForeignDomain() throws Exception {
        String recipient = "dave-" + RUN + "@" + FOREIGN_DOMAIN;
        Mail mail = Mail.of("(c) submission to a foreign domain", "Relayed for an authenticated user.");
        Outcome swaks = swaks(server.submissionPort, List.of("-tls", "--auth", "PLAIN", "--auth-user", BOB,
                "--auth-password", BOB_PASSWORD, "--from", BOB, "--to", recipient), mail);
        assertAccepted(swaks);
        awaitTakenBySmtpc(recipient);
    }

    @Test
    @Order(7)
    void submissionRefusesWhatItMust() {
        Mail mail = Mail.of("refused", "must not arrive");
        Outcome noAuth = swaks(server.submissionPort, List.of("-tls", "--from", ALICE, "--to", ALICE), mail);
        assertThat(noAuth.exitCode()).as("MAIL FROM refused without AUTH (swaks exit 23)\n" + noAuth.describe()).isEqualTo(23);
        assertThat(replies(noAuth)).as(noAuth.describe()).anyMatch(line -> line.startsWith("530"));

        Outcome authInClear = swaks(server.submissionPort, List.of("--auth", "PLAIN", "--auth-user", ALICE,
                "--auth-password", ALICE_PASSWORD, "--from", ALICE, "--to", ALICE), mail);
        assertThat(authInClear.exitCode()).as("AUTH not offered before STARTTLS (swaks exit 28)\n" + authInClear.describe()).isEqualTo(28);
        assertThat(authInClear.output()).as(authInClear.describe()).contains("Host did not advertise authentication");

        Outcome wrongPassword = swaks(server.submissionPort, List.of("-tls", "--auth", "LOGIN", "--auth-user", ALICE,
                "--auth-password", "not-" + ALICE_PASSWORD, "--from", ALICE, "--to", ALICE), mail);
        assertThat(wrongPassword.exitCode()).as("wrong password (swaks exit 28)\n" + wrongPassword.describe()).isEqualTo(28);
        assertThat(replies(wrongPassword)).as(wrongPassword.describe()).anyMatch(line -> line.startsWith("535"));
    }

    @Test
    @Order(8)
    void remoteHostWithoutAuthCannotRelay() throws Exception {
        String recipient = "erin-" + RUN + "@" + FOREIGN_DOMAIN;
        Mail mail = Mail.of("(d) relay attempt", "must not be relayed");
        Outcome clear = swaks(server.smtpPort, List.of("--local-interface", REMOTE_HOST, "--from", REMOTE_SENDER, "--to", recipient), mail);
        assertThat(clear.exitCode()).as("RCPT refused (swaks exit 24)\n" + clear.describe()).isEqualTo(24);
        assertThat(replies(clear)).as(clear.describe()).anyMatch(line -> line.startsWith("550 5.7.1"));

        Outcome tls = swaks(server.smtpPort, List.of("-tls", "--local-interface", REMOTE_HOST, "--from", REMOTE_SENDER, "--to", recipient), mail);
        assertThat(tls.exitCode()).as("RCPT refused inside TLS too (swaks exit 24)\n" + tls.describe()).isEqualTo(24);
        assertThat(tlsReplies(tls)).as("AUTH announced to a remote host once inside TLS, and needed\n" + tls.describe())
                .anyMatch(line -> line.matches("250[- ]AUTH\\b.*"))
                .anyMatch(line -> line.matches("5\\d\\d .*"));

        assertThat(server.smtpcHandled(recipient)).as("relayed by SMTPC").isFalse();
        assertThat(server.log()).doesNotContain("for [" + recipient + "]");
    }

    @Test
    @Order(9)
    void remoteHostWithStartTlsAndAuthRelaysThroughTheMxPort() throws Exception {
        String recipient = "frank-" + RUN + "@" + FOREIGN_DOMAIN;
        Mail mail = Mail.of("authenticated relay through the MX port", "Relayed for an authenticated remote client.");
        Outcome swaks = swaks(server.smtpPort, List.of("-tls", "--local-interface", REMOTE_HOST, "--auth", "LOGIN",
                "--auth-user", BOB, "--auth-password", BOB_PASSWORD, "--from", BOB, "--to", recipient), mail);
        assertAccepted(swaks);
        awaitTakenBySmtpc(recipient);
    }

    // ---------------------------------------------------------------- reading: fetchmail, Python

    @Test
    @Order(10)
    void fetchmailImapWithStartTlsRetrievesWhatWasSent() {
        awaitMailbox("fetchmail IMAP", () -> {
            Path out = Files.createDirectories(temp.resolve("fetchmail-imap-" + System.nanoTime()));
            // one file per message: fetchmail runs the MDA through /bin/sh once per message
            Outcome fetchmail = fetchmail("IMAP", server.imapPort, "mda \"cat > " + out + "/msg.$$\"", List.of());
            assertThat(fetchmail.output()).as(fetchmail.describe())
                    .containsPattern("IMAP> A\\d+ STARTTLS")
                    .containsPattern("IMAP< A\\d+ OK LOGIN");
            List<Mail> mails = new ArrayList<>();
            try (Stream<Path> files = Files.list(out)) {
                for (Path file : files.sorted().toList()) {
                    mails.add(parse(Files.readAllBytes(file)));
                }
            }
            return new Fetched(fetchmail, mails);
        });
    }

    @Test
    @Order(11)
    void fetchmailPop3WithStlsRetrievesWhatWasSent() {
        awaitMailbox("fetchmail POP3", () -> {
            Path bsmtp = temp.resolve("fetchmail-pop3-" + System.nanoTime() + ".bsmtp");
            Outcome fetchmail = fetchmail("POP3", server.pop3Port, "", List.of("--bsmtp", bsmtp.toString()));
            assertThat(fetchmail.output()).as(fetchmail.describe())
                    .contains("POP3> STLS")
                    .contains("POP3< +OK Welcome");
            List<Mail> mails = new ArrayList<>();
            for (byte[] message : bsmtpMessages(Files.readString(bsmtp, StandardCharsets.UTF_8))) {
                mails.add(parse(message));
            }
            return new Fetched(fetchmail, mails);
        });
    }

    @Test
    @Order(12)
    void pythonImaplibWithStartTlsRetrievesWhatWasSent() {
        awaitMailbox("Python imaplib", () -> {
            Outcome python = python("imap", server.imapPort);
            assertThat(python.output()).as("IMAP refuses LOGIN before STARTTLS\n" + python.describe())
                    .containsPattern("CAPABILITY-BEFORE-STARTTLS .*\\bSTARTTLS\\b")
                    .containsPattern("CAPABILITY-BEFORE-STARTTLS .*\\bLOGINDISABLED\\b")
                    .contains("LOGIN-BEFORE-STARTTLS refused")
                    .containsPattern("(?m)^TLS TLSv1\\.[23]$");
            return new Fetched(python, rawMessages(python));
        });
    }

    @Test
    @Order(13)
    void pythonPoplibWithStlsRetrievesWhatWasSent() {
        awaitMailbox("Python poplib", () -> {
            Outcome python = python("pop3", server.pop3Port);
            assertThat(python.output()).as(python.describe())
                    .containsPattern("CAPA-BEFORE-STLS .*\\bSTLS\\b")
                    .containsPattern("(?m)^TLS TLSv1\\.[23]$");
            return new Fetched(python, rawMessages(python));
        });
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> environment() {
        return Map.of("HOME", home.toString(), "TMPDIR", temp.toString());
    }

    private static Outcome run(List<String> command) {
        return DebianPrograms.run(home, environment(), PROGRAM_TIMEOUT, command);
    }

    private static Outcome swaks(int port, List<String> options, Mail mail) {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port),
                "--helo", "client.remote.test", "--timeout", "30s"));
        command.addAll(options);
        command.addAll(List.of("--header", "Subject: " + mail.subject(), "--body", mail.body()));
        return run(command);
    }

    /** Exit code 0, DATA answered 354 and the message answered 250. */
    private static void assertAccepted(Outcome swaks) {
        String context = swaks.describe() + "\nserver log:\n" + logTail();
        assertThat(swaks.exitCode()).as(context).isZero();
        List<String> replies = replies(swaks);
        int data = -1;
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i).startsWith("354")) {
                data = i;
            }
        }
        assertThat(data).as("DATA answered 354\n" + context).isNotNegative().isLessThan(replies.size() - 1);
        assertThat(replies.get(data + 1)).as("end of data answered 250\n" + context).startsWith("250");
    }

    /** The server's replies in a swaks transcript ({@code <-} in clear, {@code <~} inside TLS, {@code <**}, {@code <~*} errors). */
    private static List<String> replies(Outcome swaks) {
        return replies(swaks, "-~*");
    }

    private static List<String> clearReplies(Outcome swaks) {
        return replies(swaks, "-*");
    }

    private static List<String> tlsReplies(Outcome swaks) {
        return replies(swaks, "~");
    }

    private static List<String> replies(Outcome swaks, String markers) {
        List<String> replies = new ArrayList<>();
        for (String line : swaks.output().split("\\R")) {
            Matcher matcher = SWAKS_REPLY.matcher(line);
            if (matcher.matches() && markers.indexOf(matcher.group(1).charAt(0)) >= 0) {
                replies.add(matcher.group(2).strip());
            }
        }
        return replies;
    }

    /** Relayed mail reaches SMTPC, which logs what became of it (a domain that never resolves: deferred or failed). */
    private static void awaitTakenBySmtpc(String recipient) {
        await("mail for " + recipient + " taken by SMTPC").atMost(DELIVERY_WAIT).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(server.smtpcHandled(recipient)).as("SMTPC log line; server log:\n" + logTail()).isTrue());
    }

    private static Outcome fetchmail(String protocol, int port, String delivery, List<String> options) throws IOException {
        Path rc = temp.resolve("fetchmailrc-" + protocol + "-" + System.nanoTime());
        String config = """
                set no syslog
                poll 127.0.0.1 service %d protocol %s timeout 30
                  user "%s" there with password "%s"
                  sslproto "TLS1.2+" no sslcertck
                  keep fetchall
                  %s
                """.formatted(port, protocol, ALICE, ALICE_PASSWORD, delivery);
        Files.writeString(rc, config, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        List<String> command = new ArrayList<>(List.of("fetchmail", "--verbose", "--fetchmailrc", rc.toString(),
                "--pidfile", temp.resolve("fetchmail.pid").toString()));
        command.addAll(options);
        Outcome fetchmail = run(command);
        assertThat(fetchmail.exitCode()).as("fetchmail exit code (0: mail retrieved)\n" + fetchmail.describe()).isZero();
        return fetchmail;
    }

    /** Messages of a BSMTP file (RFC 2442) as fetchmail --bsmtp writes it: DATA ... "." with dot-stuffing. */
    static List<byte[]> bsmtpMessages(String bsmtp) {
        List<byte[]> messages = new ArrayList<>();
        StringBuilder current = null;
        for (String line : bsmtp.split("\r?\n", -1)) {
            if (current == null) {
                if (line.equals("DATA")) {
                    current = new StringBuilder();
                }
            } else if (line.equals(".")) {
                messages.add(current.toString().getBytes(StandardCharsets.UTF_8));
                current = null;
            } else {
                current.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
        }
        assertThat(current).as("BSMTP file ends inside DATA:\n" + bsmtp).isNull();
        return messages;
    }

    private static final String PYTHON_CLIENT = """
            import base64, imaplib, poplib, ssl, sys
            host, port, user, password, protocol = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed
            def emit(raw):
                print("RAW " + base64.b64encode(raw).decode("ascii"))
            if protocol == "imap":
                client = imaplib.IMAP4(host, port, timeout=30)
                print("CAPABILITY-BEFORE-STARTTLS " + " ".join(client.capabilities))
                try:
                    client.login(user, password)
                    print("LOGIN-BEFORE-STARTTLS accepted")
                except imaplib.IMAP4.error as refused:
                    print("LOGIN-BEFORE-STARTTLS refused: " + str(refused))
                client.starttls(ssl_context=context)
                print("TLS " + client.sock.version())
                client.login(user, password)
                client.select("INBOX", readonly=True)
                typ, data = client.uid("SEARCH", None, "ALL")
                for uid in data[0].split():
                    typ, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                    emit(parts[0][1])
                client.logout()
            else:
                client = poplib.POP3(host, port, timeout=30)
                print("CAPA-BEFORE-STLS " + " ".join(sorted(client.capa())))
                client.stls(context=context)
                print("TLS " + client.sock.version())
                client.user(user)
                client.pass_(password)
                count, size = client.stat()
                for i in range(1, count + 1):
                    emit(b"\\r\\n".join(client.retr(i)[1]) + b"\\r\\n")
                client.quit()
            print("DONE")
            """;

    private static Outcome python(String protocol, int port) {
        Outcome python = run(List.of("python3", "-c", PYTHON_CLIENT, "127.0.0.1", Integer.toString(port), ALICE, ALICE_PASSWORD, protocol));
        assertThat(python.exitCode()).as(python.describe()).isZero();
        assertThat(python.output()).as(python.describe()).contains("DONE");
        return python;
    }

    private static List<Mail> rawMessages(Outcome python) throws Exception {
        List<Mail> mails = new ArrayList<>();
        for (String line : python.output().split("\\R")) {
            if (line.startsWith("RAW ")) {
                mails.add(parse(Base64.getDecoder().decode(line.substring(4))));
            }
        }
        return mails;
    }

    static Mail parse(byte[] raw) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        Object content = message.getContent();
        assertThat(content).as("a text/plain body in\n" + new String(raw, StandardCharsets.UTF_8)).isInstanceOf(String.class);
        return new Mail(message.getSubject(), normalize((String) content));
    }

    private static String normalize(String body) {
        return body.replace("\r\n", "\n").stripTrailing();
    }

    record Fetched(Outcome outcome, List<Mail> mails) {
    }

    interface Reader {
        Fetched read() throws Exception;
    }

    /** Reads the mailbox until it holds exactly what the senders handed over (delivery runs after the 250). */
    private static void awaitMailbox(String client, Reader reader) {
        List<Mail> expected = SENT_TO_ALICE.stream().map(mail -> new Mail(mail.subject(), normalize(mail.body()))).toList();
        assertThat(expected).as("messages sent by the swaks tests of this class (run the whole class)").isNotEmpty();
        await(client + " reads every message swaks sent").atMost(DELIVERY_WAIT).pollInterval(Duration.ofSeconds(3))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    Fetched fetched = reader.read();
                    assertThat(fetched.mails()).as(client + " read these messages (expected subjects and bodies as sent)\n"
                                    + fetched.outcome().describe())
                            .containsExactlyInAnyOrderElementsOf(expected);
                });
    }

    private static String logTail() {
        try {
            return server.logTail();
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }
}
