package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start: the embedded directory starts beside James' own initialisation, yet no listener opens before it runs,
 * and a directory that cannot start still stops the start with its own error; the class data sharing archive of
 * {@code var/cds/} is written when the first JVM stops and used by the next start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StartupIT {
    private static final String EVE = "eve@example.com";
    private static final String PASSWORD = "Startup-test-1357";

    @TempDir
    static Path temp;
    private PackagedServer server;

    @AfterAll
    void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "StartupIT");
    }

    @Test
    @Order(1)
    void theFirstStopWritesTheClassDataArchiveThatTheNextStartUses() throws Exception {
        server = PackagedServer.unpack(temp);
        server.classDataSharing = true;
        server.startWith("example.com", PASSWORD, EVE);
        assertThat(jvmCommandLine()).contains("-XX:ArchiveClassesAtExit=");
        assertThat(PackagedServer.isListening(server.ldapPort)).isTrue();
        assertListenersOpenedAfterTheDirectoryStarted();
        server.stop();
        assertThat(cdsFiles()).as("written by the JVM as it exited").hasSize(1);
        assertThat(cdsFiles().get(0).toString()).endsWith(".jsa.part");

        server.start();
        assertArchiveUsed();
        try (SmtpClient smtp = SmtpClient.connect(server.smtpPort)) {
            assertThat(smtp.greeting().code()).isEqualTo(220);
            smtp.ehlo("origin.example");
            assertThat(smtp.send("sender@origin.example", EVE,
                "Subject: after a start with shared classes\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII))
                .code()).isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
            .until(() -> MailAccess.imapSubjects(server.imapPort, EVE, PASSWORD)
                .contains("after a start with shared classes"));
        server.stop();
        assertListenersClosedTogether();
        server.start();
        assertArchiveUsed();
    }

    /** Netty waits 2 s before a listener's event loops end: James' one-after-the-other disposal took 6 x 2 s. */
    private void assertListenersClosedTogether() throws Exception {
        Matcher closed = Pattern.compile("(\\d+) protocol listeners closed in (\\d+) ms").matcher(server.log());
        assertThat(closed.find()).as("the stop's log line").isTrue();
        assertThat(Integer.parseInt(closed.group(1))).isEqualTo(6);
        assertThat(Long.parseLong(closed.group(2))).isLessThan(6_000);
    }

    /**
     * The start after a recording JVM's exit maps the archive once checked. It used not to, at random after the
     * first start of a fresh unpack: the archive's name included ls' "total" of lib/, and the blocks the file system
     * gives freshly unpacked jars can grow meanwhile (delayed allocation), so the next start looked for another name
     * and deleted the archive as another JVM's.
     */
    private void assertArchiveUsed() throws Exception {
        assertThat(jvmCommandLine()).contains("-XX:SharedArchiveFile=");
        assertThat(cdsFiles()).as("checked, then kept for the following starts").hasSize(1);
        assertThat(cdsFiles().get(0).toString()).endsWith(".jsa");
    }

    @Test
    @Order(2)
    void anArchiveCutShortIsThrownAwayNotUsed() throws Exception {
        server.stop();
        assertThat(cdsFiles()).as("an archive, used or just written").hasSize(1);
        Path archive = cdsFiles().get(0);
        Path cut = archive.getFileName().toString().endsWith(".part") ? archive
            : archive.resolveSibling(archive.getFileName() + ".part");
        byte[] head = new byte[1 << 20];
        try (var in = Files.newInputStream(archive)) {
            assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(head.length);
        }
        Files.delete(archive);
        Files.write(cut, head); // as left by a JVM killed while it wrote the archive

        server.start(); // a JVM mapping it would crash: the script tries it in a JVM of its own first
        assertThat(jvmCommandLine()).contains("-XX:ArchiveClassesAtExit=").doesNotContain("-XX:SharedArchiveFile=");
        assertThat(MailAccess.imapSubjects(server.imapPort, EVE, PASSWORD)).contains("after a start with shared classes");
    }

    @Test
    @Order(3)
    void aDirectoryThatCannotStartStopsTheStartWithItsError() throws Exception {
        server.stop();
        int logBefore = server.log().length();
        try (ServerSocket taken = new ServerSocket(server.ldapPort, 1, InetAddress.getByName("127.0.0.1"))) {
            PackagedServer.Result result = PackagedServer.run(server.home, server.startEnvironment(),
                Duration.ofMinutes(7), List.of("bin/switchboard", "start"));
            assertThat(result.exitCode()).as(result.output()).isNotZero();
        }
        String log = server.log().substring(logBefore);
        assertThat(log).contains("Switchboard failed to start");
        String failure = log.substring(log.lastIndexOf("Switchboard failed to start"));
        assertThat(failure.lines().skip(1).findFirst().orElse(""))
            .contains("The embedded directory server did not start");
        assertThat(log).as("no listener opened").doesNotContain("Init SMTP Service done");
        assertThat(server.isRunning()).isFalse();
        assertThat(PackagedServer.isListening(server.smtpPort)).isFalse();
    }

    /** The directory runs before James' start-up checks end, and they end before the first listener opens. */
    private void assertListenersOpenedAfterTheDirectoryStarted() throws Exception {
        String log = server.log();
        int directory = log.lastIndexOf("Directory: ApacheDS started");
        int checks = log.lastIndexOf("StartUpChecks all succeeded");
        int smtp = log.lastIndexOf("Init SMTP Service done");
        assertThat(directory).isPositive();
        assertThat(checks).isGreaterThan(directory);
        assertThat(smtp).isGreaterThan(checks);
    }

    private String jvmCommandLine() throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(server.pid()), "cmdline"));
        return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private List<Path> cdsFiles() throws Exception {
        Path cds = server.home.resolve("var/cds");
        if (!Files.isDirectory(cds)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.sorted().toList();
        }
    }
}
