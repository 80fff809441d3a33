package org.switchboard.it.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.switchboard.it.PackagedServer;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * A private DNS server: Debian's {@code dnsmasq} (package {@code dnsmasq-base}, no service) in the foreground with a
 * configuration file written here, answering only for the records a test gives it ({@code --no-resolv --no-hosts}),
 * authoritative (NXDOMAIN) for {@code .test} and the loopback reverse zone.
 *
 * <p>It listens on port 53 of a loopback address of its own (127.53.x.y): James 3.8.1's {@code DNSJavaService} builds
 * its resolvers with dnsjava's {@code SimpleResolver(host)}, which always queries port 53; a {@code <server>} of
 * {@code dnsservice.xml} cannot carry a port. Binding port 53 needs root, which the interop run (.ci/run) has.
 */
final class Dnsmasq implements AutoCloseable {
    static final Program PROGRAM = new Program("dnsmasq", "dnsmasq-base");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path home;
    private final String address;
    private Process process;

    private Dnsmasq(Path home, String address) {
        this.home = home;
        this.address = address;
    }

    /**
     * Fails (naming the Debian package) when dnsmasq is not installed; then starts it with {@code records}, lines of a
     * dnsmasq configuration ({@code host-record=}, {@code ptr-record=}, {@code address=}, {@code txt-record=}).
     */
    static Dnsmasq start(Path home, List<String> records) throws IOException, InterruptedException {
        DebianPrograms.requireAll(List.of(PROGRAM), Map.of());
        Files.createDirectories(home);
        String address = "127.53." + (1 + RANDOM.nextInt(254)) + "." + (1 + RANDOM.nextInt(254));
        Dnsmasq dnsmasq = new Dnsmasq(home, address);
        StringBuilder conf = new StringBuilder()
            .append("port=53\n")
            .append("listen-address=").append(address).append('\n')
            .append("bind-interfaces\n")
            .append("no-resolv\n")
            .append("no-hosts\n")
            .append("no-poll\n")
            .append("pid-file=\n")
            .append("log-queries\n")
            .append("log-facility=-\n")
            // answer NXDOMAIN (never "refused") for names of the tests without records
            .append("local=/test/\n")
            .append("local=/127.in-addr.arpa/\n");
        records.forEach(record -> conf.append(record).append('\n'));
        Files.writeString(home.resolve("dnsmasq.conf"), conf.toString(), StandardCharsets.US_ASCII);
        dnsmasq.start();
        return dnsmasq;
    }

    /** The address to put in {@code dnsservice.xml}. */
    String address() {
        return address;
    }

    /** Makes the (not yet started) server ask this dnsmasq, and SMTPC connect to mail exchangers on {@code smtpPort}. */
    void serveSmtpc(PackagedServer server, int smtpPort) throws IOException {
        server.rewrite("dnsservice.xml", "<autodiscover>true</autodiscover>",
            "<autodiscover>false</autodiscover><servers><server>" + address + "</server></servers>");
        server.rewrite("smtpc.xml", "<remotePort>25</remotePort>", "<remotePort>" + smtpPort + "</remotePort>");
    }

    private void start() throws IOException, InterruptedException {
        // failing to bind port 53 (not root) ends dnsmasq at once: its output says so
        process = DebianPrograms.startServer(home, List.of(PROGRAM.name(), "--keep-in-foreground",
            "--conf-file=" + home.resolve("dnsmasq.conf")), START_TIMEOUT, this::answers, this::output);
    }

    /** Any answer to a query for {@code ready.test} (A, IN). */
    private boolean answers() {
        ByteArrayOutputStream query = new ByteArrayOutputStream();
        query.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : List.of("ready", "test")) {
            query.write(label.length());
            query.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        query.writeBytes(new byte[] {0, 0, 1, 0, 1});
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout(500);
            byte[] bytes = query.toByteArray();
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(address), 53));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            socket.receive(reply);
            return reply.getLength() >= 12 && reply.getData()[0] == 0x12 && reply.getData()[1] == 0x34;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    String output() {
        try {
            Path file = home.resolve("dnsmasq.out");
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(no output)";
        } catch (IOException e) {
            return "(cannot read dnsmasq.out)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        DebianPrograms.stopServer(process);
    }
}
