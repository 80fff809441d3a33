package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file beside the index saying "the last run stopped in order: every change of the store was indexed and
 * committed". It is removed (durably) when the index opens and written back (durably) after the last commit of an
 * orderly stop, so after a {@code kill -9} it is absent and the index is compared with the store.
 */
final class CleanStopMark {
    static final String FILE_NAME = "clean-stop";

    private final Path file;

    CleanStopMark(Path indexDirectory) {
        this.file = indexDirectory.resolve(FILE_NAME);
    }

    /** Whether the last run stopped in order; removes the mark so that a crash of this run is seen at the next start. */
    boolean takeAtStart() throws IOException {
        boolean clean = Files.exists(file);
        if (clean) {
            Files.delete(file);
            syncDirectory();
        }
        return clean;
    }

    void writeAtStop() throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.force(true);
        }
        syncDirectory();
    }

    void removeIfPresent() throws IOException {
        if (Files.deleteIfExists(file)) {
            syncDirectory();
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
