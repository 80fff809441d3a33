package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * ESMTP against real clients from Debian: {@code swaks} for MT-PRIORITY (trusted, lowered, refused) and for DSN's MAIL
 * parameters with a failed delivery, Python's {@code smtplib} for a full DSN request (RET, ENVID, NOTIFY, ORCPT) whose
 * "delivered" report is read back over IMAP.
 *
 * <p>Debian 12's swaks (20201014) has no DSN options and writes {@code MAIL FROM:<address>} itself; the MAIL
 * parameters ride in the address ({@code a@b> MT-PRIORITY=5 X-SWAKS=<}: the trailing {@code X-SWAKS=<>} is an
 * unknown parameter the server ignores), which puts exactly the parameters on the wire. RCPT parameters cannot be
 * sent that way, hence smtplib for NOTIFY/ORCPT.
 */
@Tag("interop")
class EsmtpInteropIT {
    private static final String DOMAIN = "example.test";
    private static final String ALICE = "alice@" + DOMAIN;
    private static final String BOB = "bob@" + DOMAIN;
    private static final String PASSWORD = "Esmtp-interop-4";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(60);
    private static final String SEEN = "/mailRepositories/var%2Fmail%2Fseen/mails";

    @TempDir
    static Path temp;
    static PackagedServer server;

    @BeforeAll
    static void startServer() throws Exception {
        DebianPrograms.requireAll(List.of(new Program("swaks", "swaks"), new Program("python3", "python3")), Map.of());
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        server.copyEveryMailTo("jpa://var/mail/seen/");
        server.startWith(DOMAIN, PASSWORD, ALICE, BOB);
    }

    @AfterAll
    static void stopServer() throws Exception {
        PackagedServer.closeKeepingLog(server, "EsmtpInteropIT");
    }

    @Test
    void swaksMtPriorityIsTrustedFromTheRelayNetworkLoweredFromOthersAndCheckedForAll() throws Exception {
        Outcome trusted = swaks("127.0.0.1", server.smtpPort, "urgent@remote.test", "MT-PRIORITY=5", BOB, List.of());
        System.out.println("OBSERVED " + trusted.describe());
        assertThat(trusted.exitCode()).as(trusted.describe()).isZero();
        assertThat(trusted.output()).contains("250-MT-PRIORITY MIXER").contains("250-DSN")
            .contains("MAIL FROM:<urgent@remote.test> MT-PRIORITY=5 X-SWAKS=<>");

        Outcome untrusted = swaks("127.0.0.2", server.smtpPort, "pushy@remote.test", "MT-PRIORITY=+5", BOB, List.of());
        assertThat(untrusted.exitCode()).as(untrusted.describe()).isZero();

        Outcome refused = swaks("127.0.0.2", server.smtpPort, "wild@remote.test", "MT-PRIORITY=12", BOB, List.of());
        System.out.println("OBSERVED " + refused.describe());
        assertThat(refused.exitCode()).as("swaks: MAIL FROM refused; %s", refused.describe()).isEqualTo(23);
        assertThat(refused.output()).contains("501 5.5.4");

        String urgent = MailAccess.repositoryMailFrom(server.webAdminPort, SEEN, "urgent@remote.test", DELIVERY);
        assertThat(MailAccess.attribute(urgent, "org.switchboard.smtp.mt-priority")).isEqualTo("5");
        assertThat(MailAccess.attribute(urgent, "MAIL_PRIORITY")).isEqualTo("7");
        String pushy = MailAccess.repositoryMailFrom(server.webAdminPort, SEEN, "pushy@remote.test", DELIVERY);
        assertThat(MailAccess.attribute(pushy, "org.switchboard.smtp.mt-priority")).isEqualTo("0");
        assertThat(MailAccess.attribute(pushy, "MAIL_PRIORITY")).isEqualTo("5");
    }

    @Test
    void smtplibGetsADeliveredReportWithItsEnvidAndOrcpt() throws Exception {
        String envId = "py-" + UUID.randomUUID().toString().substring(0, 8);
        String script = String.join("\n",
            "import smtplib, ssl, sys",
            "port, user, password, envid, rcpt = sys.argv[1:]",
            "with smtplib.SMTP('127.0.0.1', int(port), timeout=30) as s:",
            "    s.ehlo('client.remote.test')",
            "    s.starttls(context=ssl._create_unverified_context())",
            "    s.ehlo('client.remote.test')",
            "    print('advertised DSN' if s.has_extn('dsn') else 'no DSN advertised')",
            "    s.login(user, password)",
            "    message = 'From: <%s>\\r\\nTo: <%s>\\r\\nSubject: %s\\r\\n\\r\\nbody of %s\\r\\n' % (user, rcpt, envid, envid)",
            "    refused = s.sendmail(user, [rcpt], message, mail_options=['RET=HDRS', 'ENVID=' + envid],",
            "                         rcpt_options=['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;' + rcpt])",
            "    print('refused:', refused)");
        Outcome python = DebianPrograms.run(temp, Map.of(), PROGRAM_TIMEOUT,
            List.of("python3", "-c", script, Integer.toString(server.submissionPort), ALICE, PASSWORD, envId, BOB));
        System.out.println("OBSERVED " + python.describe());
        assertThat(python.exitCode()).as(python.describe()).isZero();
        assertThat(python.output()).contains("advertised DSN").contains("refused: {}");

        String status = awaitReport(ALICE, envId);
        System.out.println("OBSERVED delivered report for smtplib:\n" + status);
        assertThat(status).contains("Original-Envelope-Id: " + envId + "\r\n", "Original-Recipient: rfc822; " + BOB + "\r\n",
            "Final-Recipient: rfc822; " + BOB + "\r\n", "Action: delivered\r\n", "Status: 2.0.0\r\n");
    }

    @Test
    void swaksDsnMailParametersWithAFailedDeliveryAndNoNotifyGetTheUsualBounce() throws Exception {
        String id = "swaks-" + UUID.randomUUID().toString().substring(0, 8);
        String nobody = "nobody-" + id + "@" + DOMAIN;
        Outcome sent = swaks("127.0.0.1", server.submissionPort, ALICE, "RET=FULL ENVID=" + id, nobody,
            List.of("-tls", "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", PASSWORD));
        System.out.println("OBSERVED " + sent.describe());
        assertThat(sent.exitCode()).as(sent.describe()).isZero();
        ImapMessage bounce = await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
            .until(() -> find(ALICE, nobody), found -> found != null);
        assertThat(MailAccess.deliveryStatus(bounce.raw())).as("the usual bounce, not an RFC 3464 report").isNull();
    }

    private static Outcome swaks(String client, int port, String sender, String mailParameters, String recipient,
            List<String> options) {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", Integer.toString(port),
            "--local-interface", client, "--helo", "client.remote.test", "--timeout", "30s",
            "--from", sender + "> " + mailParameters + " X-SWAKS=<", "--to", recipient,
            "--header", "From: <" + sender + ">", "--header", "Subject: " + mailParameters.replaceAll("^.*ENVID=", ""),
            "--body", "sent by swaks with " + mailParameters));
        command.addAll(options);
        return DebianPrograms.run(temp, Map.of(), PROGRAM_TIMEOUT, command);
    }

    private static String awaitReport(String user, String needle) {
        List<String> status = new ArrayList<>();
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            ImapMessage found = find(user, needle);
            String fields = found == null ? null : MailAccess.deliveryStatus(found.raw());
            if (fields != null) {
                status.add(fields);
            }
            return fields != null;
        });
        return status.get(0);
    }

    private static ImapMessage find(String user, String needle) throws Exception {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        return MailAccess.imapInbox(server.imapPort, user, PASSWORD).stream()
            .filter(message -> MailAccess.contains(message.raw(), bytes)).findFirst().orElse(null);
    }
}
