package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.SmtpClient;

/**
 * SMTPC against real peers: Postfix's smtp-sink as the remote servers (one accepting, one answering 4xx to RCPT, one
 * dropping the connection at DATA), each on a loopback address of its own, and dnsmasq as the DNS server of the
 * packaged server, serving their MX and A records ({@code gone.test} does not exist). The packaged server relays mail
 * sent from 127.0.0.1 (an authorized address on the MX port); its log and Alice's INBOX show what SMTPC did.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmtpcInteropIT {
    private static final String DOMAIN = "example.test";
    private static final String ALICE = "alice@example.test";
    private static final String PASSWORD = "Al1ce-smtpc!";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path temp;
    private static Dnsmasq dns;
    private static SmtpSink accepting;
    private static SmtpSink busy;
    private static SmtpSink dropping;
    private static PackagedServer server;
    private static String acceptingAddress;

    @BeforeAll
    static void start() throws Exception {
        String net = "127.54." + (1 + RANDOM.nextInt(254)) + ".";
        acceptingAddress = net + "1";
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        accepting = SmtpSink.start(acceptingAddress, port, List.of());
        busy = SmtpSink.start(net + "2", port, List.of("-r", "RCPT"));
        dropping = SmtpSink.start(net + "3", port, List.of("-q", "DATA"));
        dns = Dnsmasq.start(temp.resolve("dns"), List.of(
            "mx-host=accept.test,mx.accept.test,10",
            "host-record=mx.accept.test," + acceptingAddress,
            "mx-host=busy.test,mx.busy.test,10",
            "host-record=mx.busy.test," + net + "2",
            "mx-host=drop.test,mx.drop.test,10",
            "host-record=mx.drop.test," + net + "3",
            // an ETRN domain without MX: its A record is its mail server
            "host-record=etrn.test," + acceptingAddress));
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        dns.serveSmtpc(server, port);
        server.rewrite("smtpc.xml", "</smtpc>", """
                <profile domain="busy.test">
                    <queueRunInterval>2 seconds</queueRunInterval>
                    <expiry>12 seconds</expiry>
                </profile>
                <profile domain="drop.test">
                    <queueRunInterval>1 hour</queueRunInterval>
                </profile>
                <profile domain="etrn.test">
                    <maxSessions>1</maxSessions>
                    <hold>true</hold>
                </profile>
            </smtpc>""");
        server.startWith(DOMAIN, PASSWORD, ALICE);
    }

    @AfterAll
    static void stop() throws Exception {
        DebianPrograms.stopAll(server, "SmtpcInteropIT", dns, accepting, busy, dropping);
    }

    @Test
    @Order(1)
    void mailForADomainWithAnMxGoesToItsMailExchanger() throws Exception {
        String subject = "to the MX " + UUID.randomUUID();
        relay("bob@accept.test", subject);

        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
            .until(() -> accepting.mails().stream().anyMatch(mail -> mail.contains(subject)));
        String mail = accepting.mails().stream().filter(text -> text.contains(subject)).findFirst().orElseThrow();
        assertThat(mail).contains("X-Mail-Args: <" + ALICE + ">").contains("X-Rcpt-Args: <bob@accept.test>");
        assertThat(server.log()).containsPattern("SMTPC: mail \\S+ delivered to \\[bob@accept.test\\] via mx.accept.test\\["
            + Pattern.quote(acceptingAddress) + "\\]");
    }

    @Test
    @Order(2)
    void heldMailWaitsForEtrnThenGoesOverOneConnection() throws Exception {
        for (int i = 1; i <= 3; i++) {
            relay("carol@etrn.test", "held " + i);
        }
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
            .until(() -> count(server.log(), "SMTPC: mail \\S+ to \\[carol@etrn.test\\] held until ETRN") == 3);
        Thread.sleep(1000);
        assertThat(accepting.mails()).noneMatch(mail -> mail.contains("carol@etrn.test"));

        try (SmtpClient peer = SmtpClient.connect(server.smtpPort)) {
            assertThat(peer.ehlo("peer.etrn.test").lines()).anyMatch(line -> line.contains("ETRN"));
            SmtpClient.Reply started = peer.command("ETRN etrn.test");
            assertThat(started.code()).as(started.toString()).isEqualTo(253);
            assertThat(started.lines().get(0)).contains("OK, 3 pending messages for node etrn.test started");
            assertThat(peer.command("ETRN accept.test").code()).as("not an ETRN domain").isEqualTo(459);
            assertThat(peer.command("ETRN #not a queue").code()).isEqualTo(501);
        }
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
            .until(() -> accepting.mails().stream().filter(mail -> mail.contains("X-Rcpt-Args: <carol@etrn.test>")).count() == 3);
        // maxSessions 1: the gate and the two that followed it over one connection (closed once idle for the
        // profile's sessionIdleTime)
        Pattern oneSession = Pattern.compile("session with etrn.test\\[" + Pattern.quote(acceptingAddress)
            + "\\]:\\d+ closed after 3 messages \\(3 delivered\\)");
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(() -> oneSession.matcher(server.log()).find());
        try (SmtpClient peer = SmtpClient.connect(server.smtpPort)) {
            peer.ehlo("peer.etrn.test");
            assertThat(peer.command("ETRN etrn.test").code()).as("nothing waits any more").isEqualTo(251);
        }
    }

    @Test
    @Order(3)
    void aDomainThatDoesNotExistBouncesOnceWithoutAStackTrace() throws Exception {
        String subject = "to nowhere " + UUID.randomUUID();
        relay("nobody@gone.test", subject);

        List<MailAccess.ImapMessage> notices = await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> noticesAbout("nobody@gone.test"), found -> !found.isEmpty());
        assertThat(notices).hasSize(1);
        assertThat(new String(notices.get(0).raw(), StandardCharsets.UTF_8)).contains("NXDOMAIN");
        String log = server.log();
        assertThat(count(log, "SMTPC: mail \\S+ to \\[nobody@gone.test\\] failed: 550 5.1.2 domain gone.test does not exist \\(NXDOMAIN\\)"))
            .isEqualTo(1);
        assertThat(log).doesNotContain("deferred (attempt 1): 550").doesNotContainPattern("\tat org\\.switchboard\\.server\\.smtpc");
    }

    @Test
    @Order(4)
    void aPeerAnswering4xxDefersTheMailUntilItExpiresThenTheSenderIsTold() throws Exception {
        relay("dave@busy.test", "busy " + UUID.randomUUID());

        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(() ->
            server.log().matches("(?s).*SMTPC: mail \\S+ to \\[dave@busy.test\\] deferred \\(attempt 2\\): 4\\d\\d .*"));
        List<MailAccess.ImapMessage> notices = await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> noticesAbout("dave@busy.test"), found -> !found.isEmpty());
        assertThat(new String(notices.get(0).raw(), StandardCharsets.UTF_8)).contains("expired");
        assertThat(busy.mails()).isEmpty();
    }

    @Test
    @Order(5)
    void aPeerDroppingTheConnectionDefersTheMail() throws Exception {
        relay("erin@drop.test", "dropped " + UUID.randomUUID());

        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(() ->
            server.log().matches("(?s).*SMTPC: mail \\S+ to \\[erin@drop.test\\] deferred \\(attempt 1\\): connection to "
                + "mx.drop.test\\S* lost.*"));
        assertThat(dropping.mails()).isEmpty();
        assertThat(noticesAbout("erin@drop.test")).isEmpty();

        // the administrator's view (bin/james-cli over JMX): the channel, why the mail waits, a flush
        assertThat(server.cli("SmtpcChannels")).contains("drop.test: active, pending 0, deferred 1, held 0");
        Matcher deferred = Pattern.compile("SMTPC: mail (\\S+) to \\[erin@drop.test\\] deferred").matcher(server.log());
        assertThat(deferred.find()).isTrue();
        assertThat(server.cli("SmtpcWhy", deferred.group(1)))
            .contains("to [erin@drop.test]: deferred; weight ").contains("precedence 9 x Mp 1000")
            .contains("attempts 1; last reply connection to mx.drop.test").contains("; expires ");
        assertThat(server.cli("SmtpcFlush", "drop.test")).contains("1 mails due now");
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(() ->
            server.log().contains("to [erin@drop.test] deferred (attempt 2)"));
    }

    private static void relay(String recipient, String subject) throws IOException {
        String message = "From: " + ALICE + "\r\nTo: " + recipient + "\r\nSubject: " + subject + "\r\nMessage-ID: <"
            + UUID.randomUUID() + "@example.test>\r\n\r\nhello " + recipient + "\r\n";
        try (SmtpClient client = SmtpClient.connect(server.smtpPort)) {
            client.ehlo("client.example.test");
            SmtpClient.Reply reply = client.send(ALICE, recipient, message.getBytes(StandardCharsets.US_ASCII));
            assertThat(reply.code()).as(reply.toString()).isEqualTo(250);
            client.quit();
        }
    }

    private static List<MailAccess.ImapMessage> noticesAbout(String recipient) throws Exception {
        return MailAccess.imapInbox(server.imapPort, ALICE, PASSWORD).stream()
            .filter(message -> new String(message.raw(), StandardCharsets.UTF_8).contains(recipient))
            .toList();
    }

    private static int count(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int found = 0;
        while (matcher.find()) {
            found++;
        }
        return found;
    }
}
