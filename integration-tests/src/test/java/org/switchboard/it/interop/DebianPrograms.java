package org.switchboard.it.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.switchboard.it.PackagedServer;

/**
 * Real client programs from Debian packages, as the interop tests use them: found on the machine (Debian's own
 * directories first, so a {@code python3} shim on PATH does not shadow the packaged one), run with a private
 * environment, no standard input and a hard timeout.
 *
 * <p>The interop profile exists to run these programs, so a missing one is a test failure that names the Debian
 * package to install, never a skip.
 */
final class DebianPrograms {

    /** Where Debian installs programs; searched before PATH. */
    private static final List<String> DEBIAN_DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private DebianPrograms() {
    }

    /** A program and the Debian package that ships it. */
    record Program(String name, String debianPackage) {
    }

    /** What a finished program left: its exit code and its standard output and error, interleaved. */
    record Outcome(List<String> command, int exitCode, String output) {
        String describe() {
            return String.join(" ", command) + "\nexit code " + exitCode + ", output:\n" + output;
        }
    }

    /** The program's path, or {@code null} when no such executable is installed. */
    static Path locate(String name) {
        Set<String> dirs = new LinkedHashSet<>(DEBIAN_DIRS);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(dir);
                }
            }
        }
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Fails, naming the Debian packages to install, when any of the programs is missing or {@code missingFeatures}
     * (a description of what is missing, mapped to the package that brings it) is not empty.
     */
    static void requireAll(List<Program> programs, Map<String, String> missingFeatures) {
        Map<String, String> missing = new LinkedHashMap<>();
        for (Program program : programs) {
            if (locate(program.name()) == null) {
                missing.put("program '" + program.name() + "'", program.debianPackage());
            }
        }
        missing.putAll(missingFeatures);
        if (!missing.isEmpty()) {
            StringBuilder message = new StringBuilder("The interop tests need real client programs from Debian packages; missing:\n");
            missing.forEach((what, pkg) -> message.append("  - ").append(what).append(": Debian package '").append(pkg).append("'\n"));
            message.append("Install them with: apt-get install -y --no-install-recommends ")
                    .append(String.join(" ", new LinkedHashSet<>(missing.values())))
                    .append("\n(.ci/run installs every package the interop tests need)");
            throw new AssertionError(message.toString());
        }
    }

    /**
     * Runs {@code command} (its first word is looked up with {@link #locate}) in {@code directory} with the given
     * environment added, standard input closed, and kills it (and its children) when it outlives {@code timeout}.
     */
    static Outcome run(Path directory, Map<String, String> environment, Duration timeout, List<String> command) {
        List<String> line = new ArrayList<>(command);
        Path executable = locate(line.get(0));
        if (executable == null) {
            throw new AssertionError("program '" + line.get(0) + "' is not installed");
        }
        line.set(0, executable.toString());
        Map<String, String> fullEnvironment = new LinkedHashMap<>();
        fullEnvironment.put("LC_ALL", "C.UTF-8");
        fullEnvironment.putAll(environment);
        try {
            PackagedServer.Result result = PackagedServer.run(directory, fullEnvironment, timeout, line);
            return new Outcome(line, result.exitCode(), result.output());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", line), e);
        } catch (IllegalStateException timedOut) {
            throw new AssertionError(timedOut.getMessage(), timedOut);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", line), e);
        }
    }

    /**
     * Starts a server program in the foreground ({@code command}, its first word looked up with {@link #locate}) in
     * {@code home}, its output in {@code home/<name>.out}, and waits until {@code answers} holds. Fails with
     * {@code output} when the program exits or does not answer within {@code timeout} (then it is stopped).
     */
    static Process startServer(Path home, List<String> command, Duration timeout, BooleanSupplier answers,
            Supplier<String> output) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(command);
        String name = line.get(0);
        line.set(0, locate(name).toString());
        Process process = new ProcessBuilder(line)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve(name + ".out").toFile())
            .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!answers.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + output.get());
            }
            if (System.nanoTime() > deadline) {
                stopServer(process);
                throw new IllegalStateException(name + " did not answer within " + timeout + ":\n" + output.get());
            }
            Thread.sleep(100);
        }
        return process;
    }

    /** Stops the server (keeping its log under {@code name}), then the peer programs, whatever failed before. */
    static void stopAll(PackagedServer server, String name, AutoCloseable... peers) throws Exception {
        try {
            PackagedServer.closeKeepingLog(server, name);
        } finally {
            for (AutoCloseable peer : peers) {
                if (peer != null) {
                    peer.close();
                }
            }
        }
    }

    /** Stops a program started by {@link #startServer} (SIGTERM, then SIGKILL) and waits until it is gone. */
    static void stopServer(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
