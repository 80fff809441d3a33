package org.switchboard.server.spool;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolStoreTest {
    @TempDir
    Path var;

    @Test
    void anEarlierVersionsSpoolStopsTheStartWithWhatToDo() throws Exception {
        File legacy = var.resolve("store/activemq").toFile();
        assertThatCode(() -> SpoolStore.refuseLegacySpool(legacy)).doesNotThrowAnyException();

        Files.createDirectories(legacy.toPath().resolve("kahadb"));
        assertThatThrownBy(() -> SpoolStore.refuseLegacySpool(legacy))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(legacy.toString())
            .hasMessageContaining("Start the earlier version until its queues are empty");
    }
}
