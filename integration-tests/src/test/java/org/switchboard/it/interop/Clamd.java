package org.switchboard.it.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * A private clamd from Debian's {@code clamav-daemon}, on a free loopback port, with a signature database generated
 * here (signature downloads are impossible offline, and clamd refuses to start without signatures): it detects the
 * EICAR test string and a harmless custom pattern. Started in the foreground, stopped by its pid, restartable on the
 * same port. ClamAV reports these signatures with the suffix {@code .UNOFFICIAL}: match names by prefix.
 */
final class Clamd implements AutoCloseable {
    static final Program PROGRAM = new Program("clamd", "clamav-daemon");
    /** The 68-byte EICAR anti-virus test file. */
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String EICAR_SIGNATURE = "Switchboard.Test.EICAR";
    static final String PATTERN = "SWITCHBOARD-AV-TEST-PATTERN-NOT-A-VIRUS";
    static final String PATTERN_SIGNATURE = "Switchboard.Test.CustomPattern";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final int port;
    private Process process;

    /**
     * @param home a folder for the configuration, database, temporary files and log
     * @param options more clamd.conf lines (e.g. {@code ScanMail no}, {@code StreamMaxLength 1M})
     */
    private Clamd(Path home, int port, List<String> options) throws IOException {
        this.home = home;
        this.port = port;
        Path database = Files.createDirectories(home.resolve("db"));
        Path temporary = Files.createDirectories(home.resolve("tmp"));
        // ndb body signatures (Name:TargetType:Offset:HexSignature), target 0 = any file, offset * = anywhere
        Files.writeString(database.resolve("test-signatures.ndb"),
            EICAR_SIGNATURE + ":0:*:" + hex("EICAR-STANDARD-ANTIVIRUS-TEST-FILE") + "\n"
                + PATTERN_SIGNATURE + ":0:*:" + hex(PATTERN) + "\n", StandardCharsets.US_ASCII);
        StringBuilder conf = new StringBuilder()
            .append("TCPSocket ").append(port).append('\n')
            .append("TCPAddr 127.0.0.1\n")
            .append("Foreground yes\n")
            .append("DatabaseDirectory ").append(database).append('\n')
            .append("TemporaryDirectory ").append(temporary).append('\n')
            .append("LogFile ").append(home.resolve("clamd.log")).append('\n')
            .append("LogTime yes\n");
        options.forEach(option -> conf.append(option).append('\n'));
        Files.writeString(home.resolve("clamd.conf"), conf.toString(), StandardCharsets.US_ASCII);
    }

    /** Fails (naming the Debian package) when clamd is not installed; then starts it. */
    static Clamd start(Path home, String... options) throws IOException, InterruptedException {
        DebianPrograms.requireAll(List.of(PROGRAM), Map.of());
        Clamd clamd = new Clamd(home, freePort(), List.of(options));
        clamd.start();
        return clamd;
    }

    int port() {
        return port;
    }

    /** Starts clamd (again) on its port and waits until it accepts connections. */
    void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = DebianPrograms.startServer(home, List.of(PROGRAM.name(), "--config-file=" + home.resolve("clamd.conf")),
            START_TIMEOUT, this::answers, this::output);
    }

    /** Stops clamd (SIGTERM, then SIGKILL) and waits until it is gone. */
    void stop() throws InterruptedException {
        DebianPrograms.stopServer(process);
    }

    /** Freezes clamd (SIGSTOP): connections are accepted by the kernel, nothing answers. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Undoes {@link #freeze()} (SIGCONT). */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** PING answered with PONG. */
    boolean answers() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("zPING\0".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = socket.getInputStream().readNBytes(5);
            return new String(reply, StandardCharsets.US_ASCII).startsWith("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    String output() {
        StringBuilder text = new StringBuilder();
        for (String name : List.of("clamd.out", "clamd.log")) {
            try {
                Path file = home.resolve(name);
                if (Files.exists(file)) {
                    text.append("--- ").append(name).append('\n').append(Files.readString(file, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                text.append("(cannot read ").append(name).append(")\n");
            }
        }
        return text.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            try {
                thaw();
            } catch (IOException | RuntimeException e) {
                // stop() kills it anyway
            }
        }
        stop();
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A free port below Linux' ephemeral range and below the packaged server's (20000-32000): clamd is restarted on
     * it, so no outgoing connection may take it in between.
     */
    private static int freePort() throws IOException {
        java.util.Random random = new java.security.SecureRandom();
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 12000 + random.nextInt(8000);
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new IOException("no free port found between 12000 and 20000");
    }
}
