package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * Passwords only travel inside TLS (smtpserver.xml: requireSSL; imapserver.xml: plainAuthDisallowed): a client that
 * sends its credentials before STARTTLS/STLS anyway must be refused, as IMAP does. Python's smtplib and poplib
 * (Debian package python3) play such a client from 127.0.0.2.
 */
@Tag("interop")
class CleartextCredentialsIT {
    private static final String USER = "alice@example.test";
    private static final String PASSWORD = "Al1ce-interop!";

    @TempDir
    static Path temp;
    private static PackagedServer server;

    @BeforeAll
    static void startServer() throws Exception {
        DebianPrograms.requireAll(List.of(new Program("python3", "python3")), Map.of());
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        server.startWith("example.test", PASSWORD, USER);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static final String SMTP_AUTH_IN_CLEAR = """
            import base64, smtplib, sys
            client = smtplib.SMTP(source_address=("127.0.0.2", 0), timeout=30)
            client.connect("127.0.0.1", int(sys.argv[1]))
            client.ehlo("client.remote.test")
            token = base64.b64encode(("\\0" + sys.argv[2] + "\\0" + sys.argv[3]).encode()).decode()
            code, text = client.docmd("AUTH", "PLAIN " + token)
            print("AUTH-IN-CLEAR %d %s" % (code, text.decode()))
            client.quit()
            """;

    private static final String POP3_PASS_IN_CLEAR = """
            import poplib, sys
            client = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
            try:
                client.user(sys.argv[2])
                print("PASS-IN-CLEAR " + client.pass_(sys.argv[3]).decode())
            except poplib.error_proto as refused:
                print("PASS-IN-CLEAR " + str(refused))
            client.quit()
            """;

    @Test
    void mxPortRefusesAuthBeforeStartTls() {
        assertThat(python(SMTP_AUTH_IN_CLEAR, server.smtpPort)).containsPattern("AUTH-IN-CLEAR 5\\d\\d ");
    }

    @Test
    void submissionPortRefusesAuthBeforeStartTls() {
        assertThat(python(SMTP_AUTH_IN_CLEAR, server.submissionPort)).containsPattern("AUTH-IN-CLEAR 5\\d\\d ");
    }

    @Test
    void pop3RefusesCredentialsBeforeStls() {
        assertThat(python(POP3_PASS_IN_CLEAR, server.pop3Port)).contains("PASS-IN-CLEAR b'-ERR");
    }

    private static String python(String script, int port) {
        Outcome outcome = DebianPrograms.run(temp, Map.of("HOME", temp.toString()), Duration.ofSeconds(60),
                List.of("python3", "-c", script, Integer.toString(port), USER, PASSWORD));
        assertThat(outcome.exitCode()).as(outcome.describe()).isZero();
        return outcome.output();
    }
}
