package org.switchboard.it.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Postfix's {@code smtp-sink} as a remote SMTP server, on {@code address:port}, each mail it takes written to a file
 * of its own ({@code -d}). Postfix conflicts with exim4 (another interop peer), so {@code .ci/run} unpacks the
 * {@code postfix} package under {@value #UNPACKED} instead of installing it (no daemon, nothing on port 25); an
 * installed {@code /usr/sbin/smtp-sink} is used when there is one.
 */
final class SmtpSink implements AutoCloseable {
    static final String UNPACKED = "/opt/postfix-smtp-sink";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dumps;
    private final Process process;
    private final Path output;

    private SmtpSink(Path dumps, Process process, Path output) {
        this.dumps = dumps;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts smtp-sink with {@code options} (e.g. {@code -r RCPT}: 4xx to every RCPT; {@code -q DATA}: disconnect at
     * DATA). Its files go to a directory the unprivileged user it runs as ({@code -u nobody}, as root) may write.
     */
    static SmtpSink start(String address, int port, List<String> options) throws IOException, InterruptedException {
        Path installed = Path.of("/usr/sbin/smtp-sink");
        Path unpacked = Path.of(UNPACKED, "usr/sbin/smtp-sink");
        Path program = Files.isExecutable(installed) ? installed : unpacked;
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException("smtp-sink not found: install the Debian package postfix, or unpack it "
                + "(apt-get download postfix; dpkg-deb -x postfix_*.deb " + UNPACKED + "), as .ci/run does");
        }
        Path dumps = Files.createTempDirectory(Path.of("/tmp"), "smtp-sink-");
        Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> command = new ArrayList<>(List.of(program.toString(), "-u", "nobody", "-d", dumps + "/mail-"));
        command.addAll(options);
        command.add(address + ":" + port);
        command.add("64");
        Path output = dumps.resolve("smtp-sink.out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        if (program.equals(unpacked)) {
            builder.environment().put("LD_LIBRARY_PATH", Path.of(UNPACKED, "usr/lib/postfix").toString());
        }
        Process process = builder.start();
        SmtpSink sink = new SmtpSink(dumps, process, output);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers(address, port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                sink.close();
                throw new IllegalStateException("smtp-sink on " + address + ":" + port + " did not start: " + sink.output());
            }
            Thread.sleep(100);
        }
        return sink;
    }

    private static boolean answers(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The mails taken so far: each file's text (X-Mail-Args, X-Rcpt-Args, then the message). */
    List<String> mails() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            List<String> mails = new ArrayList<>();
            for (Path file : files.filter(path -> path.getFileName().toString().startsWith("mail-")).sorted().toList()) {
                mails.add(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
            return mails;
        }
    }

    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        DebianPrograms.stopServer(process);
    }
}
