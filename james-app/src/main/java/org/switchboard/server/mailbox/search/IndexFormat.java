package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file {@code format} in the index directory names how the index was built. An index of another format (or of
 * none: built before this file existed, with pairs of words) is removed before it opens, as if an administrator had
 * deleted the directory: it is then rebuilt as documented for a missing index, each mailbox at its first search or, when
 * indexing on delivery, by comparing every mailbox with the store in the background.
 */
final class IndexFormat {
    private static final Logger LOGGER = LoggerFactory.getLogger(IndexFormat.class);

    static final String FILE_NAME = "format";
    /** Single upper-cased words, see {@link WordAnalyzer}. */
    static final String CURRENT = "words-1";

    private IndexFormat() {
    }

    static void ensureCurrent(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE_NAME);
        if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).trim().equals(CURRENT)) {
            return;
        }
        List<Path> old;
        try (Stream<Path> entries = Files.list(directory)) {
            old = entries.toList();
        }
        if (!old.isEmpty()) {
            LOGGER.info("Search index in {} is of an earlier format: removed, it is rebuilt from the store", directory);
            for (Path entry : old) {
                Files.delete(entry);
            }
        }
        Files.writeString(file, CURRENT + "\n", StandardCharsets.UTF_8);
    }
}
