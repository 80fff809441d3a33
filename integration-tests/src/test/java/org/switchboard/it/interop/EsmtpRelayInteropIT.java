package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * What SMTPC does with ESMTP envelopes on the way out, against Postfix's smtp-sink as the next hop: one sink that
 * announces neither 8BITMIME nor DSN ({@code -8 -N}, domain {@code seven.test}), one that announces both
 * ({@code dsn.test}, and the held ETRN domain {@code later.test} used to show the WebAdmin view). Python's
 * {@code smtplib} is the client: it sends BODY=8BITMIME with 8-bit octets, and RCPT parameters of each recipient's own,
 * which swaks cannot. The sinks' dump files show the octets and the envelope as SMTPC sent them (lines end in LF
 * there).
 */
@Tag("interop")
class EsmtpRelayInteropIT {
    private static final String DOMAIN = "example.test";
    private static final String ALICE = "alice@example.test";
    private static final String PASSWORD = "Esmtp-relay-7";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Sends one mail: argv port, MAIL parameters, the message file, then recipient and its RCPT parameters, pairs. */
    private static final String CLIENT = String.join("\n",
        "import smtplib, sys",
        "port, mail_options, message_file = sys.argv[1:4]",
        "rcpts = sys.argv[4:]",
        "with smtplib.SMTP('127.0.0.1', int(port), timeout=30) as s:",
        "    s.ehlo('client.example.test')",
        "    print('MAIL', s.mail('" + ALICE + "', mail_options.split()))",
        "    for i in range(0, len(rcpts), 2):",
        "        print('RCPT', s.rcpt(rcpts[i], rcpts[i + 1].split()))",
        "    print('DATA', s.data(open(message_file, 'rb').read()))");

    @TempDir
    static Path temp;
    private static Dnsmasq dns;
    private static SmtpSink sevenBit;
    private static SmtpSink capable;
    private static PackagedServer server;

    @BeforeAll
    static void start() throws Exception {
        DebianPrograms.requireAll(List.of(new Program("python3", "python3"), Dnsmasq.PROGRAM), Map.of());
        String net = "127.55." + (1 + RANDOM.nextInt(254)) + ".";
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        sevenBit = SmtpSink.start(net + "1", port, List.of("-8", "-N"));
        capable = SmtpSink.start(net + "2", port, List.of());
        dns = Dnsmasq.start(temp.resolve("dns"), List.of(
            "mx-host=seven.test,mx.seven.test,10",
            "host-record=mx.seven.test," + net + "1",
            "mx-host=dsn.test,mx.dsn.test,10",
            "host-record=mx.dsn.test," + net + "2",
            "mx-host=later.test,mx.dsn.test,10"));
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        dns.serveSmtpc(server, port);
        server.rewrite("smtpc.xml", "</smtpc>", """
                <profile domain="later.test">
                    <hold>true</hold>
                </profile>
            </smtpc>""");
        server.startWith(DOMAIN, PASSWORD, ALICE);
    }

    @AfterAll
    static void stop() throws Exception {
        DebianPrograms.stopAll(server, "EsmtpRelayInteropIT", dns, sevenBit, capable);
    }

    @Test
    void eightBitMailReachesASevenBitPeerConvertedAndNeverWithAn8BitOctet() throws Exception {
        String subject = "converted " + UUID.randomUUID();
        byte[] octets = {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, (byte) 0xfe, (byte) 0x80, 'x'};
        String message = "From: <" + ALICE + ">\r\nTo: <eve@seven.test>\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"part\"\r\n\r\n"
            + "--part\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n"
            + "--part\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + new String(octets, StandardCharsets.ISO_8859_1) + "\r\n--part--\r\n";
        byte[] sent = message.replace("Grüße aus Köln", new String("Grüße aus Köln".getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        send(sent, "BODY=8BITMIME", "eve@seven.test", "");

        String received = awaitMail(sevenBit, subject);
        System.out.println("OBSERVED at the 7-bit sink:\n" + received);
        assertThat(received.chars()).as("7-bit octets only").allMatch(c -> c < 0x80);
        assertThat(received).contains("X-Mail-Args: <" + ALICE + ">\n").doesNotContain("BODY=8BITMIME")
            .contains("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "Gr=C3=BC=C3=9Fe aus K=C3=B6ln")
            .contains("Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                + java.util.Base64.getEncoder().encodeToString(octets));
        assertThat(server.log()).containsPattern("SMTPC: mail \\S+ converted to 7 bit for mx.seven.test");
    }

    @Test
    void aSignedMultipartWith8BitOctetsBouncesInsteadOfReachingASevenBitPeer() throws Exception {
        String subject = "signed " + UUID.randomUUID();
        String message = "From: <" + ALICE + ">\r\nTo: <frank@seven.test>\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256; boundary=s\r\n\r\n"
            + "--s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nna\u00efve\r\n"
            + "--s\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\n--s--\r\n";
        send(message.getBytes(StandardCharsets.UTF_8), "BODY=8BITMIME", "frank@seven.test", "");

        MailAccess.ImapMessage bounce = await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> noticeAbout("frank@seven.test"), found -> found != null);
        String text = new String(bounce.raw(), StandardCharsets.UTF_8);
        System.out.println("OBSERVED bounce:\n" + text);
        assertThat(text).contains("5.6.3").contains("RFC 1847");
        assertThat(sevenBit.mails()).noneMatch(mail -> mail.contains(subject));
    }

    @Test
    void dsnParametersAndTheBodyDeclarationAreRelayedPerRecipientToAPeerThatAnnouncesThem() throws Exception {
        String envId = "env-" + UUID.randomUUID().toString().substring(0, 8);
        send(message(envId, "bob@dsn.test"), "BODY=8BITMIME RET=HDRS ENVID=" + envId,
            "bob@dsn.test", "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;first+2Bbob@example.test",
            "carol@dsn.test", "NOTIFY=NEVER");

        String received = awaitMail(capable, envId);
        System.out.println("OBSERVED at the DSN sink:\n" + received.substring(0, received.indexOf("\n\n") + 1));
        assertThat(received).contains("X-Mail-Args: <" + ALICE + "> RET=HDRS BODY=8BITMIME ENVID=" + envId + "\n")
            .contains("X-Rcpt-Args: <bob@dsn.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;first+2Bbob@example.test\n")
            .contains("X-Rcpt-Args: <carol@dsn.test> NOTIFY=NEVER ORCPT=rfc822;carol@dsn.test\n");
    }

    @Test
    void aPeerWithoutDsnMeansARelayedReportForNotifySuccess() throws Exception {
        String envId = "rel-" + UUID.randomUUID().toString().substring(0, 8);
        send(message(envId, "dave@seven.test"), "ENVID=" + envId, "dave@seven.test", "NOTIFY=SUCCESS ORCPT=rfc822;dave@seven.test");

        String received = awaitMail(sevenBit, envId);
        assertThat(received).contains("X-Mail-Args: <" + ALICE + ">\n").contains("X-Rcpt-Args: <dave@seven.test>\n");
        MailAccess.ImapMessage report = await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
            .until(() -> noticeAbout("dave@seven.test"), found -> found != null);
        String status = MailAccess.deliveryStatus(report.raw());
        System.out.println("OBSERVED relayed report:\n" + status);
        assertThat(status).contains("Original-Envelope-Id: " + envId + "\r\n", "Final-Recipient: rfc822; dave@seven.test\r\n",
            "Action: relayed\r\n", "Status: 2.0.0\r\n");
    }

    @Test
    void webAdminShowsAHeldChannelAndWhyAMailWaitsAndFlushesIt() throws Exception {
        String first = "held " + UUID.randomUUID();
        send(message(first, "gina@later.test"), "", "gina@later.test", "");
        String name = awaitHeld("gina@later.test");

        HttpResponse<String> channels = http("GET", "/smtpc/channels");
        assertThat(channels.statusCode()).isEqualTo(200);
        assertThat(channels.body()).contains("\"domain\":\"later.test\"");
        String channel = http("GET", "/smtpc/channels/later.test").body();
        System.out.println("OBSERVED GET /smtpc/channels/later.test: " + channel);
        assertThat(channel).contains("\"mode\":\"held (ETRN)\"").contains("\"held\":1").contains("\"deferred\":0");
        String why = http("GET", "/smtpc/mails/" + name).body();
        System.out.println("OBSERVED GET /smtpc/mails/" + name + ": " + why);
        assertThat(why).contains("\"state\":\"held\"").contains("\"recipients\":[\"gina@later.test\"]")
            .contains("\"precedence\":9").contains("\"precedenceMultiplier\":").contains("\"attempts\":0")
            .contains("\"expires\":\"").contains("\"channel\":{");
        assertThat(http("GET", "/smtpc/mails/no-such-mail").statusCode()).isEqualTo(404);
        assertThat(http("GET", "/smtpc/channels/nowhere.test").statusCode()).isEqualTo(404);

        HttpResponse<String> flushed = http("POST", "/smtpc/channels/later.test/flush");
        assertThat(flushed.statusCode()).isEqualTo(200);
        assertThat(flushed.body()).contains("\"due\":1");
        awaitMail(capable, first);

        String second = "held again " + UUID.randomUUID();
        send(message(second, "hal@later.test"), "", "hal@later.test", "");
        awaitHeld("hal@later.test");
        HttpResponse<String> all = http("POST", "/smtpc/flush");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.body()).contains("\"due\":1");
        awaitMail(capable, second);
    }

    private static byte[] message(String subject, String recipient) {
        return ("From: <" + ALICE + ">\r\nTo: <" + recipient + ">\r\nSubject: " + subject + "\r\n\r\nbody of " + subject + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the message with Python's smtplib from 127.0.0.1 (a relay network) to the MX port. */
    private static void send(byte[] message, String mailParameters, String... recipientsAndParameters) throws IOException {
        Path file = Files.createTempFile(temp, "message-", ".eml");
        Files.write(file, message);
        List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", CLIENT, Integer.toString(server.smtpPort),
            mailParameters, file.toString()));
        command.addAll(List.of(recipientsAndParameters));
        Outcome outcome = DebianPrograms.run(temp, Map.of(), PROGRAM_TIMEOUT, command);
        assertThat(outcome.exitCode()).as(outcome.describe()).isZero();
        assertThat(outcome.output()).as(outcome.describe()).contains("DATA (250");
    }

    private static String awaitMail(SmtpSink sink, String needle) {
        return await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500))
            .until(() -> sink.mails().stream().filter(mail -> mail.contains(needle)).findFirst().orElse(null),
                found -> found != null);
    }

    /** The name of the mail SMTPC holds for the recipient, from its log line. */
    private static String awaitHeld(String recipient) {
        Pattern held = Pattern.compile("SMTPC: mail (\\S+) to \\[" + Pattern.quote(recipient) + "\\] held until ETRN");
        return await().atMost(DELIVERY).pollInterval(Duration.ofMillis(500)).until(() -> {
            Matcher matcher = held.matcher(server.log());
            return matcher.find() ? matcher.group(1) : null;
        }, found -> found != null);
    }

    private static MailAccess.ImapMessage noticeAbout(String recipient) throws Exception {
        return MailAccess.imapInbox(server.imapPort, ALICE, PASSWORD).stream()
            .filter(message -> new String(message.raw(), StandardCharsets.UTF_8).contains(recipient))
            .findFirst().orElse(null);
    }

    private static HttpResponse<String> http(String method, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.webAdminPort + path))
            .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
    }
}
