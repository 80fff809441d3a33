package org.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The packaged distribution, unpacked into a temporary folder and configured on free loopback ports, driven through
 * its own scripts ({@code bin/switchboard}, {@code bin/james-cli}) as an administrator would.
 */
public final class PackagedServer implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Ports handed out in this JVM: two servers or two listeners never get the same one. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    public final Path home;
    public final int smtpPort;
    public final int submissionPort;
    public final int imapPort;
    public final int pop3Port;
    public final int lmtpPort;
    public final int sievePort;
    public final int webAdminPort;
    public final int jmxPort;
    public final int ldapPort;
    public final int ldapsPort;

    private PackagedServer(Path home) throws IOException {
        this.home = home;
        this.smtpPort = freePort();
        this.submissionPort = freePort();
        this.imapPort = freePort();
        this.pop3Port = freePort();
        this.lmtpPort = freePort();
        this.sievePort = freePort();
        this.webAdminPort = freePort();
        this.jmxPort = freePort();
        this.ldapPort = freePort();
        this.ldapsPort = freePort();
    }

    /** Unpacks the distribution named by the {@code switchboard.dist} system property into {@code parent}. */
    public static PackagedServer unpack(Path parent) throws IOException, InterruptedException {
        Path tarball = Path.of(System.getProperty("switchboard.dist", "../assembly/target/switchboard-0.1.0-SNAPSHOT.tar.gz"));
        if (!Files.exists(tarball)) {
            throw new IllegalStateException("No distribution at " + tarball.toAbsolutePath() + ": run mvn package first");
        }
        run(parent, Duration.ofMinutes(2), "tar", "xzf", tarball.toAbsolutePath().toString());
        Path home;
        try (var entries = Files.list(parent)) {
            home = entries.filter(p -> p.getFileName().toString().startsWith("switchboard-")).findFirst().orElseThrow();
        }
        PackagedServer server = new PackagedServer(home);
        server.usePorts();
        return server;
    }

    /** Whole elements are replaced: a new port may begin with the digits of another default (25873 and 2587). */
    private void usePorts() throws IOException {
        rewrite("smtpserver.xml", "<bind>127.0.0.1:2525</bind>", "<bind>127.0.0.1:" + smtpPort + "</bind>");
        rewrite("smtpserver.xml", "<bind>127.0.0.1:2587</bind>", "<bind>127.0.0.1:" + submissionPort + "</bind>");
        rewrite("imapserver.xml", "<bind>127.0.0.1:2143</bind>", "<bind>127.0.0.1:" + imapPort + "</bind>");
        rewrite("pop3server.xml", "<bind>127.0.0.1:2110</bind>", "<bind>127.0.0.1:" + pop3Port + "</bind>");
        rewrite("lmtpserver.xml", "<bind>127.0.0.1:2424</bind>", "<bind>127.0.0.1:" + lmtpPort + "</bind>");
        rewrite("managesieveserver.xml", "<bind>127.0.0.1:4190</bind>", "<bind>127.0.0.1:" + sievePort + "</bind>");
        rewrite("webadmin.properties", "port=8000", "port=" + webAdminPort);
        rewrite("jmx.properties", "jmx.port=9999", "jmx.port=" + jmxPort);
        rewrite("directory.xml", "<ldapPort>10389</ldapPort>", "<ldapPort>" + ldapPort + "</ldapPort>");
        rewrite("directory.xml", "<ldapsPort>10636</ldapsPort>", "<ldapsPort>" + ldapsPort + "</ldapsPort>");
    }

    /**
     * Replaces a value in a file of {@code conf/}; fails if the text is not there (the defaults changed). The pipeline,
     * {@code mailetcontainer.xml}, is edited by element instead: {@link PipelineEditor}.
     */
    public void rewrite(String confFile, String from, String to) throws IOException {
        Path file = home.resolve("conf").resolve(confFile);
        String content = Files.readString(file, StandardCharsets.UTF_8);
        if (!content.contains(from)) {
            throw new IllegalStateException(confFile + " does not contain " + from);
        }
        Files.writeString(file, content.replace(from, to), StandardCharsets.UTF_8);
    }

    /**
     * For tests that look at mail attributes: every mail leaving the spool is first copied, attributes and all, to
     * this mail repository (then read with WebAdmin, {@link MailAccess#repositoryMailFrom}).
     */
    public void copyEveryMailTo(String repositoryUrl) throws IOException {
        rewrite("mailetcontainer.xml", "<processor state=\"root\" enableJmx=\"true\">", "<processor state=\"root\" enableJmx=\"true\">"
            + "<mailet match=\"All\" class=\"ToRepository\"><repositoryPath>" + repositoryUrl + "</repositoryPath>"
            + "<passThrough>true</passThrough></mailet>");
    }

    /**
     * Whether {@code bin/switchboard} keeps a class data sharing archive ({@code var/cds/}); off unless a test asks:
     * writing it makes the first stop of each server minutes long on a busy machine (StartupIT covers it).
     */
    public boolean classDataSharing;

    /**
     * Stops the server (if one was made) and copies its log to {@code target/switchboard-logs/NAME.log}: the temp dir
     * goes away after the class. For each test class's {@code @AfterAll}.
     */
    public static void closeKeepingLog(PackagedServer server, String name) throws Exception {
        if (server == null) {
            return;
        }
        server.close();
        Path log = server.home.resolve("var/log/switchboard.log");
        try {
            if (Files.exists(log)) {
                Path target = Path.of("target", "switchboard-logs");
                Files.createDirectories(target);
                Files.copy(log, target.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("could not keep the server log: " + e);
        }
    }

    public void start() throws IOException, InterruptedException {
        // a shared 2-core machine under load can take minutes to boot: wait up to 6 minutes before calling it failed
        Result result = run(home, startEnvironment(), Duration.ofMinutes(7), List.of("bin/switchboard", "start"));
        if (result.exitCode != 0) {
            throw new IllegalStateException("bin/switchboard start failed:\n" + result.output + "\n" + logTail());
        }
    }

    /** The environment of {@code bin/switchboard start}. */
    public Map<String, String> startEnvironment() {
        return classDataSharing ? Map.of("SWITCHBOARD_START_TIMEOUT", "360")
            : Map.of("SWITCHBOARD_START_TIMEOUT", "360", "SWITCHBOARD_CDS", "off");
    }

    /**
     * Starts the server and provisions it as an administrator does after a start, with {@code bin/james-cli}: the
     * domain, then each user (full address) with this password.
     */
    public void startWith(String domain, String password, String... users) throws IOException, InterruptedException {
        start();
        cli("AddDomain", domain);
        for (String user : users) {
            cli("AddUser", user, password);
        }
    }

    public void stop() throws IOException, InterruptedException {
        // the first stop of a JVM writing the class data archive takes minutes on a busy machine (3 at most: the script)
        Result result = run(home, Duration.ofMinutes(4), "bin/switchboard", "stop");
        if (result.exitCode != 0) {
            throw new IllegalStateException("bin/switchboard stop failed:\n" + result.output);
        }
    }

    /** Simulates a crash: SIGKILL, no shutdown hook runs. */
    public void kill9() throws IOException, InterruptedException {
        long pid = pid();
        run(home, Duration.ofSeconds(30), "kill", "-9", Long.toString(pid));
        ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().join());
        Files.deleteIfExists(home.resolve("var/switchboard.pid"));
    }

    public long pid() throws IOException {
        return Long.parseLong(Files.readString(home.resolve("var/switchboard.pid")).trim());
    }

    public boolean isRunning() throws IOException {
        Path pidFile = home.resolve("var/switchboard.pid");
        return Files.exists(pidFile) && ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Runs {@code bin/james-cli} with the given command; fails on a non-zero exit. */
    public String cli(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        line.add("bin/james-cli");
        line.addAll(List.of(command));
        Result result = run(home, Duration.ofMinutes(1), line.toArray(String[]::new));
        if (result.exitCode != 0) {
            throw new IllegalStateException("james-cli " + String.join(" ", command) + " failed:\n" + result.output);
        }
        return result.output;
    }

    public String logTail() throws IOException {
        Path log = home.resolve("var/log/switchboard.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    /**
     * Whether SMTPC (the output channel) took relayed mail for this recipient: its log line for the mail's outcome
     * (delivered, deferred, failed), whatever the recipient's domain resolves to where the test runs.
     */
    public boolean smtpcHandled(String recipient) throws IOException {
        return Pattern.compile("SMTPC: mail \\S+ (delivered )?to \\[[^\\]]*\\b"
            + Pattern.quote(recipient) + "\\b").matcher(log()).find();
    }

    public String log() throws IOException {
        Path log = home.resolve("var/log/switchboard.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    public static boolean isListening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (isRunning()) {
            try {
                stop();
            } catch (Exception e) {
                kill9();
            }
        }
    }

    public record Result(int exitCode, String output) {
    }

    public static Result run(Path directory, Duration timeout, String... command) throws IOException, InterruptedException {
        return run(directory, Map.of(), timeout, List.of(command));
    }

    /**
     * Runs a program in {@code directory} with {@code environment} added and standard input closed; kills it and its
     * children when it outlives {@code timeout}, failing with the output it had written so far.
     */
    public static Result run(Path directory, Map<String, String> environment, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        // read on another thread, so that the timeout holds even when the program hangs with its output open
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream(), output), "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(5));
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                + "; output so far:\n" + text(output));
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        return new Result(process.exitValue(), text(output));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // the process was killed: keep what was read
        }
    }

    private static String text(ByteArrayOutputStream output) {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * A free port below Linux' ephemeral range (32768-60999): the port stays unused between this check and the
     * server's start, since the system does not hand it to outgoing connections in the meantime.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 20000 + RANDOM.nextInt(12000);
            if (!HANDED_OUT.add(candidate)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException taken) {
                // try another one
            }
        }
        throw new IOException("no free port found between 20000 and 32000");
    }
}
