package org.switchboard.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file the server reads again when it changes, so an administrator edits it without a restart. Every
 * such file (domain forwarding table, anti-spam block lists, disclaimer texts) behaves the same:
 * <ul>
 * <li>at start ({@link #load}) the file must read and parse, or start-up fails with the reason;</li>
 * <li>a use ({@link #current}) looks at the file's modification time and size at most every check interval
 *     ({@value #CHECK_SECONDS} s) and reads it again when they changed: one INFO line {@code re-read};</li>
 * <li>a changed file that does not read or parse: one ERROR line naming the problem, the last good content stays in
 *     force; later checks of that same version say nothing more;</li>
 * <li>the file fixed: one INFO line ({@code re-read}, or {@code readable again} when it is back as it was).</li>
 * </ul>
 *
 * @param <T> what the file holds, once parsed
 */
public final class ReloadingFile<T> {
    public static final long CHECK_SECONDS = 10;
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(CHECK_SECONDS);

    /** Reads and parses the file; {@link IllegalArgumentException} or {@link IOException} say what is wrong. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Path file) throws IOException;
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadingFile.class);

    /** The file's modification time and size at a read. */
    private record Stamp(FileTime modified, long size) {
    }

    private final String description;
    private final Path file;
    private final Parser<T> parser;
    private final Function<T, String> summary;
    private final LongSupplier nanoClock;
    private final long checkIntervalNanos;
    private volatile T content;
    private volatile long nextCheck;
    private Stamp loaded;
    /** The changed version found unusable (reported once), if any. */
    private Stamp rejected;
    /** Whether the last check could not read the file (reported once). */
    private boolean unreadable;

    private ReloadingFile(String description, Path file, Parser<T> parser, Function<T, String> summary,
                          LongSupplier nanoClock, Duration checkInterval) {
        this.description = Objects.requireNonNull(description, "description");
        this.file = Objects.requireNonNull(file, "file");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.summary = Objects.requireNonNull(summary, "summary");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.checkIntervalNanos = checkInterval.toNanos();
    }

    /**
     * Reads the file a first time, checked every {@link #CHECK_INTERVAL}.
     *
     * @param description what the file is, for the log ("domain forwarding table")
     * @param summary     what the log says of a content read ("12 entries")
     * @throws IllegalArgumentException naming the file and the problem when it does not read or parse
     */
    public static <T> ReloadingFile<T> load(String description, Path file, Parser<T> parser,
                                            Function<T, String> summary) {
        return load(description, file, parser, summary, System::nanoTime, CHECK_INTERVAL);
    }

    /** As {@link #load(String, Path, Parser, Function)}, with a clock (of {@link System#nanoTime()}) and interval. */
    public static <T> ReloadingFile<T> load(String description, Path file, Parser<T> parser,
                                            Function<T, String> summary, LongSupplier nanoClock,
                                            Duration checkInterval) {
        ReloadingFile<T> reloading = new ReloadingFile<>(description, file, parser, summary, nanoClock, checkInterval);
        try {
            reloading.loaded = reloading.stamp();
            reloading.content = parser.parse(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(description + " " + file + " is not usable: " + problem(e), e);
        }
        reloading.nextCheck = nanoClock.getAsLong() + reloading.checkIntervalNanos;
        LOGGER.info("{} {} read: {}", description, file, summary.apply(reloading.content));
        return reloading;
    }

    public Path file() {
        return file;
    }

    /** The content in force, after reading the file again if the check interval has passed and it changed. */
    public T current() {
        long now = nanoClock.getAsLong();
        if (now - nextCheck >= 0) {
            synchronized (this) {
                if (now - nextCheck >= 0) {
                    nextCheck = now + checkIntervalNanos;
                    reloadIfChanged();
                }
            }
        }
        return content;
    }

    private void reloadIfChanged() {
        Stamp now;
        try {
            now = stamp();
        } catch (IOException e) {
            if (!unreadable) {
                unreadable = true;
                LOGGER.error("{} {} cannot be read, the previous content stays in force: {}", description, file,
                    problem(e));
            }
            return;
        }
        boolean wasFailing = unreadable || rejected != null;
        unreadable = false;
        if (now.equals(loaded)) {
            if (wasFailing) {
                rejected = null;
                LOGGER.info("{} {} is readable again, unchanged: {}", description, file, summary.apply(content));
            }
            return;
        }
        if (now.equals(rejected)) {
            return;
        }
        try {
            T parsed = parser.parse(file);
            content = parsed;
            loaded = now;
            rejected = null;
            LOGGER.info("{} {} re-read: {}", description, file, summary.apply(parsed));
        } catch (IOException | IllegalArgumentException e) {
            rejected = now;
            LOGGER.error("{} {} changed but is not usable, the previous content stays in force until it is fixed: {}",
                description, file, problem(e));
        }
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime(), attributes.size());
    }

    private static String problem(Exception e) {
        if (e instanceof IllegalArgumentException && e.getMessage() != null) {
            return e.getMessage();
        }
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + ": " + e.getMessage();
    }

    @Override
    public String toString() {
        return description + " " + file;
    }
}
