package org.switchboard.server.mailbox.migration;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.james.filesystem.api.FileSystem;

/**
 * {@code var/store/mailbox-migration.properties}: a migration from the JPA store is under way ({@code copying}: the
 * RocksDB store holds a partial copy that only the migration may change) or done ({@code done}: the RocksDB store
 * is the installation's and is never migrated into again). Written atomically and synced.
 */
public record MigrationState(Phase phase, Map<String, String> details) {
    static final String LOCATION = "file://var/store/mailbox-migration.properties";
    private static final String PHASE = "phase";

    public enum Phase {
        COPYING, DONE;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The state of this installation's migration, if one was ever started. */
    public static Optional<MigrationState> of(FileSystem fileSystem) throws IOException {
        return read(fileSystem.getFile(LOCATION).toPath());
    }

    static Optional<MigrationState> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        String phase = properties.getProperty(PHASE, "");
        Map<String, String> details = new TreeMap<>();
        properties.stringPropertyNames().stream().filter(key -> !key.equals(PHASE))
            .forEach(key -> details.put(key, properties.getProperty(key)));
        for (Phase candidate : Phase.values()) {
            if (candidate.value().equals(phase)) {
                return Optional.of(new MigrationState(candidate, details));
            }
        }
        throw new IOException(file + ": phase=" + phase + " is neither copying nor done");
    }

    static MigrationState copying(Instant started) {
        return new MigrationState(Phase.COPYING, Map.of("started", started.toString()));
    }

    MigrationState done(Instant finished, Map<String, String> counts) {
        Map<String, String> all = new TreeMap<>(details);
        all.put("finished", finished.toString());
        all.putAll(counts);
        return new MigrationState(Phase.DONE, all);
    }

    void write(Path file) throws IOException {
        Properties properties = new Properties();
        properties.putAll(details);
        properties.setProperty(PHASE, phase.value());
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
            properties.store(out, "Mailboxes moved from the JPA store to the RocksDB store by bin/switchboard migrate-mailboxes");
            out.flush();
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
