package org.switchboard.mailbox.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh RocksDB store in a temporary directory for each test of James' mapper contracts, opened before James'
 * own set-up asks for mappers and deleted after the test.
 */
class RocksDbMapperProviderExtension implements BeforeEachCallback, AfterEachCallback {
    private Path directory;
    private RocksDbMapperProvider provider;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        directory = Files.createTempDirectory("rocksdb-mailbox-store");
        provider = new RocksDbMapperProvider(directory);
    }

    RocksDbMapperProvider provider() {
        return provider;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        provider.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
