package org.switchboard.matchers.preprocessor.antispam;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A block list file (UTF-8, format of {@link BlockList}) that is read again when it changes: at most every
 * {@code checkInterval}, a lookup compares the file's modification time and size with those of the last read, and
 * re-reads it when they differ. A file that no longer reads or parses keeps the previous list in force (logged once
 * per change), so an editing mistake never unblocks everything nor stops the mail.
 */
final class BlockListFile {
    private static final Logger LOGGER = LoggerFactory.getLogger(BlockListFile.class);

    /** The file's modification time and size at a read. */
    private record Stamp(long modifiedMillis, long size) {
    }

    private final Path path;
    private final String name;
    private final LongSupplier nanoClock;
    private final long checkIntervalNanos;
    private volatile BlockList current;
    private volatile long nextCheck;
    private Stamp stamp;
    private Stamp failedStamp;
    private boolean missing;

    private BlockListFile(Path path, String name, LongSupplier nanoClock, Duration checkInterval) {
        this.path = path;
        this.name = name;
        this.nanoClock = nanoClock;
        this.checkIntervalNanos = checkInterval.toNanos();
    }

    /**
     * Reads the file for the first time; an unreadable file or a bad entry is an error here (start-up fails).
     *
     * @param name how messages name the file (as written in the configuration)
     */
    static BlockListFile load(Path path, String name, LongSupplier nanoClock, Duration checkInterval)
        throws IOException, BlockList.SyntaxException {
        BlockListFile file = new BlockListFile(path, name, nanoClock, checkInterval);
        Stamp stamp = file.stampNow();
        file.current = file.read();
        file.stamp = stamp;
        file.nextCheck = nanoClock.getAsLong() + file.checkIntervalNanos;
        return file;
    }

    String name() {
        return name;
    }

    /** The list in force, re-read first if the check interval has passed and the file changed. */
    BlockList current() {
        long now = nanoClock.getAsLong();
        if (now - nextCheck >= 0) {
            synchronized (this) {
                if (now - nextCheck >= 0) {
                    nextCheck = now + checkIntervalNanos;
                    reloadIfChanged();
                }
            }
        }
        return current;
    }

    private void reloadIfChanged() {
        Stamp now;
        try {
            now = stampNow();
        } catch (IOException e) {
            if (!missing) {
                LOGGER.error("Block list {} ({}) cannot be read, the previous list of {} entries stays in force: {}",
                    name, path, current.size(), e.toString());
                missing = true;
            }
            return;
        }
        missing = false;
        if (now.equals(stamp) || now.equals(failedStamp)) {
            return;
        }
        try {
            BlockList list = read();
            current = list;
            stamp = now;
            failedStamp = null;
            LOGGER.info("Block list {} re-read: {} entries", name, list.size());
        } catch (IOException | BlockList.SyntaxException e) {
            failedStamp = now;
            LOGGER.error("Block list {} ({}) changed but is not usable, the previous list of {} entries stays in "
                + "force until it is fixed: {}", name, path, current.size(), e.getMessage());
        }
    }

    private Stamp stampNow() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        return new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size());
    }

    private BlockList read() throws IOException, BlockList.SyntaxException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IOException(name + " is not UTF-8 text", e);
        }
        return BlockList.parseLines(lines, name);
    }

    @Override
    public String toString() {
        return "BlockListFile[" + Objects.toString(path) + "]";
    }
}
