package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * The SMTPD connection-level controls against the packaged server, with a real DNS server (dnsmasq) that the server's
 * {@code dnsservice.xml} points at, and swaks as the remote clients, each on its own loopback address (127.0.0.x):
 * site networks, deny lists (addresses, ranges, host names, sender domains), remote name verification (forward and
 * reverse DNS of the HELO name) and two DNS block lists with their own replies. Each refusal is checked on the wire
 * (code, enhanced code, reason) and in the server's log (one line naming the control and the client's address).
 */
@Tag("interop")
class ConnectionControlsInteropIT {
    private static final Program SWAKS = new Program("swaks", "swaks");
    private static final String DOMAIN = "example.test";
    private static final String ALICE = "alice@example.test";
    private static final String PASSWORD = "Al1ce-controls!";
    private static final String SENDER = "bob@origin.test";

    /** The DNS data: who the clients are. */
    private static final List<String> RECORDS = List.of(
        // 127.0.0.2: forward and reverse agree
        "host-record=good.client.test,127.0.0.2",
        // 127.0.0.3: says forged.client.test, which points elsewhere
        "ptr-record=3.0.0.127.in-addr.arpa,ptr.client.test",
        "host-record=forged.client.test,127.0.0.9",
        // 127.0.0.4: the name points to it, but it has no PTR record
        "address=/noptr.client.test/127.0.0.4",
        // 127.0.0.5: the name points to it, but its PTR names another host
        "host-record=other.client.test,127.0.0.5",
        "address=/liar.client.test/127.0.0.5",
        // 127.0.0.6 and 127.0.0.7: good names, listed by the block lists
        "host-record=bl6.client.test,127.0.0.6",
        "host-record=bl7.client.test,127.0.0.7",
        "address=/6.0.0.127.bl.example.test/127.0.0.2",
        "txt-record=6.0.0.127.bl.example.test,\"Listed for testing, see https://bl.example.test/\"",
        "address=/7.0.0.127.bl2.example.test/127.0.0.4",
        // 127.0.0.8: a denied host name
        "host-record=host.denied.test,127.0.0.8");

    private static final String CONTROLS = """
            <handler class="org.switchboard.server.smtpd.SiteNetworksHandler">
                <networks>127.0.0.0/28, ::1</networks>
            </handler>
            <handler class="org.switchboard.server.smtpd.DeniedNetworksHandler">
                <networks>127.0.0.10/31</networks>
            </handler>
            <handler class="org.switchboard.server.smtpd.DeniedHostNamesHandler">
                <hostnames>*.denied.test</hostnames>
            </handler>
            <handler class="org.switchboard.server.smtpd.DeniedSenderDomainsHook">
                <domains>spam.test</domains>
            </handler>
            <handler class="org.switchboard.server.smtpd.RemoteNameVerificationHook">
                <exemptLoopback>false</exemptLoopback>
            </handler>
            <handler class="org.switchboard.server.smtpd.DnsBlockListHook">
                <zone><name>bl.example.test</name></zone>
                <zone>
                    <name>bl2.example.test</name>
                    <code>550</code>
                    <reply>5.7.1 {ip} is on the second list, {zone}</reply>
                </zone>
            </handler>
            <handler class="org.switchboard.server.smtpd.DirectoryValidRcptHandler"/>""";

    @TempDir
    static Path temp;
    private static Dnsmasq dns;
    private static PackagedServer server;

    @BeforeAll
    static void start() throws Exception {
        DebianPrograms.requireAll(List.of(SWAKS, Dnsmasq.PROGRAM), Map.of());
        dns = Dnsmasq.start(temp.resolve("dns"), RECORDS);
        server = PackagedServer.unpack(Files.createDirectories(temp.resolve("server")));
        server.rewrite("dnsservice.xml", "<autodiscover>true</autodiscover>",
            "<autodiscover>false</autodiscover><servers><server>" + dns.address() + "</server></servers>");
        server.rewrite("smtpserver.xml", "<handler class=\"org.switchboard.server.smtpd.DirectoryValidRcptHandler\"/>",
            CONTROLS);
        // on the submission port, the HELO stage: clients are refused at EHLO, before they could authenticate
        server.rewrite("smtpserver.xml", "<handler class=\"org.switchboard.server.smtpd.AuthenticationRequiredHook\"/>",
            """
            <handler class="org.switchboard.server.smtpd.RemoteNameVerificationHook">
                <rejectAt>helo</rejectAt>
                <exemptLoopback>false</exemptLoopback>
            </handler>
            <handler class="org.switchboard.server.smtpd.AuthenticationRequiredHook"/>""");
        server.startWith(DOMAIN, PASSWORD, ALICE);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            PackagedServer.closeKeepingLog(server, "ConnectionControlsInteropIT");
        } finally {
            if (dns != null) {
                System.out.println("dnsmasq log:\n" + dns.output());
                dns.close();
            }
        }
    }

    @Test
    void aClientWhoseNamesAgreeDeliversMail() throws Exception {
        Outcome outcome = swaks("127.0.0.2", "good.client.test", SENDER);

        assertThat(outcome.exitCode()).as(outcome.describe()).isZero();
        assertThat(outcome.output()).contains("<-  250 ");
    }

    @Test
    void heloNameResolvingElsewhere() throws Exception {
        assertRefused(swaks("127.0.0.3", "forged.client.test", SENDER),
            "550 5.7.25 Remote name verification failed: HELO name forged.client.test does not resolve to 127.0.0.3");
        assertLogged("RemoteNameVerificationHook: refused MAIL from 127.0.0.3: HELO name forged.client.test does not "
            + "resolve to 127.0.0.3");
    }

    @Test
    void heloNameThatDoesNotResolve() throws Exception {
        assertRefused(swaks("127.0.0.3", "nowhere.client.test", SENDER),
            "550 5.7.25 Remote name verification failed: HELO name nowhere.client.test does not resolve");
    }

    @Test
    void clientWithoutPtrRecord() throws Exception {
        assertRefused(swaks("127.0.0.4", "noptr.client.test", SENDER),
            "550 5.7.25 Remote name verification failed: 127.0.0.4 has no PTR record");
        assertLogged("RemoteNameVerificationHook: refused MAIL from 127.0.0.4: 127.0.0.4 has no PTR record");
    }

    @Test
    void ptrNamingAnotherHost() throws Exception {
        assertRefused(swaks("127.0.0.5", "liar.client.test", SENDER),
            "550 5.7.25 Remote name verification failed: PTR record of 127.0.0.5 names other.client.test, not "
                + "liar.client.test");
    }

    @Test
    void atTheHeloStageTheEhloItselfIsRefused() throws Exception {
        Outcome refused = swaksOn(server.submissionPort, "127.0.0.5", "liar.client.test", SENDER, "--quit-after", "HELO");
        assertRefused(refused, "550 5.7.25 Remote name verification failed: PTR record of 127.0.0.5 names "
            + "other.client.test, not liar.client.test");
        assertLogged("RemoteNameVerificationHook: refused HELO from 127.0.0.5: PTR record of 127.0.0.5 names "
            + "other.client.test, not liar.client.test");

        Outcome accepted = swaksOn(server.submissionPort, "127.0.0.2", "good.client.test", SENDER, "--quit-after", "HELO");
        assertThat(accepted.exitCode()).as(accepted.describe()).isZero();
    }

    @Test
    void authenticatedClientsAreExemptFromNameVerification() throws Exception {
        Outcome outcome = swaks("127.0.0.3", "forged.client.test", ALICE, "--tls", "--auth", "PLAIN",
            "--auth-user", ALICE, "--auth-password", PASSWORD);

        assertThat(outcome.exitCode()).as(outcome.describe()).isZero();
    }

    @Test
    void firstBlockListWithItsTxtRecord() throws Exception {
        assertRefused(swaks("127.0.0.6", "bl6.client.test", SENDER),
            "554 5.7.1 Rejected: 127.0.0.6 listed by bl.example.test - Listed for testing, see https://bl.example.test/");
        assertLogged("DnsBlockListHook: refused mail from 127.0.0.6: listed by bl.example.test");
    }

    @Test
    void secondBlockListWithItsOwnReply() throws Exception {
        assertRefused(swaks("127.0.0.7", "bl7.client.test", SENDER), "550 5.7.1 127.0.0.7 is on the second list, bl2.example.test");
        assertLogged("DnsBlockListHook: refused mail from 127.0.0.7: listed by bl2.example.test");
    }

    @Test
    void deniedSenderDomain() throws Exception {
        assertRefused(swaks("127.0.0.2", "good.client.test", "mallory@spam.test"),
            "550 5.7.1 Sender domain spam.test is on this site's deny list");
        assertLogged("DeniedSenderDomainsHook: refused sender mallory@spam.test from 127.0.0.2: domain spam.test matches "
            + "denied spam.test");
    }

    @Test
    void deniedHostNameIsRefusedAtConnect() throws Exception {
        assertThat(greetingThenClose("127.0.0.8"))
            .isEqualTo("554 5.7.1 Connection refused: host name host.denied.test of 127.0.0.8 is on this site's deny list\r\n");
        assertLogged("DeniedHostNamesHandler: refused connection from 127.0.0.8: host name host.denied.test matches "
            + "denied *.denied.test");
    }

    @Test
    void deniedAddressRangeIsRefusedAtConnect() throws Exception {
        assertThat(greetingThenClose("127.0.0.10"))
            .isEqualTo("554 5.7.1 Connection refused: 127.0.0.10 is on this site's deny list\r\n");
        assertRefused(swaks("127.0.0.11", "whatever.client.test", SENDER),
            "554 5.7.1 Connection refused: 127.0.0.11 is on this site's deny list");
        assertLogged("DeniedNetworksHandler: refused connection from 127.0.0.11: address on the deny list");
    }

    @Test
    void clientOutsideTheSiteNetworksIsRefusedAtConnect() throws Exception {
        assertThat(greetingThenClose("127.0.0.20"))
            .isEqualTo("554 5.7.1 Connection refused: 127.0.0.20 is not in this site's networks\r\n");
        assertRefused(swaks("127.0.0.21", "whatever.client.test", SENDER),
            "554 5.7.1 Connection refused: 127.0.0.21 is not in this site's networks");
        assertLogged("SiteNetworksHandler: refused connection from 127.0.0.21: not in the site networks");
    }

    /** Everything the server sends to a client connecting from {@code localAddress} until it closes the connection. */
    private static String greetingThenClose(String localAddress) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.smtpPort), 30_000);
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            in.transferTo(received);
            return received.toString(StandardCharsets.US_ASCII);
        }
    }

    private static Outcome swaks(String localAddress, String helo, String from, String... options) {
        return swaksOn(server.smtpPort, localAddress, helo, from, options);
    }

    private static Outcome swaksOn(int port, String localAddress, String helo, String from, String... options) {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port",
            Integer.toString(port), "--local-interface", localAddress, "--helo", helo, "--from", from,
            "--to", ALICE, "--timeout", "30"));
        command.addAll(List.of(options));
        return DebianPrograms.run(temp, Map.of("HOME", temp.toString()), Duration.ofSeconds(90), command);
    }

    private static void assertRefused(Outcome outcome, String reply) {
        assertThat(outcome.exitCode()).as(outcome.describe()).isNotZero();
        assertThat(outcome.output()).as(outcome.describe()).contains("<** " + reply);
    }

    private static void assertLogged(String line) throws Exception {
        assertThat(server.log()).contains(line);
    }
}
