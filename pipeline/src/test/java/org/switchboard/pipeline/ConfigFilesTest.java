package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ConfigFilesTest {
    private final ConfigFiles files = new ConfigFiles(Path.of("/srv/switchboard/conf"));

    @ParameterizedTest
    @ValueSource(strings = {"disclaimer.txt", "file://conf/disclaimer.txt", " disclaimer.txt "})
    void relativeNamesAreInTheConfDirectory(String name) {
        assertThat(files.resolve(name)).isEqualTo(Path.of("/srv/switchboard/conf/disclaimer.txt"));
    }

    @Test
    void subdirectoriesOfConfToo() {
        assertThat(files.resolve("antispam/lists/blocked.txt"))
            .isEqualTo(Path.of("/srv/switchboard/conf/antispam/lists/blocked.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/switchboard/blocklist.txt", "file:///etc/switchboard/blocklist.txt"})
    void absoluteNamesAreThemselves(String name) {
        assertThat(files.resolve(name)).isEqualTo(Path.of("/etc/switchboard/blocklist.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file://var/list.txt", "classpath:list.txt", "http://example.com/list.txt"})
    void otherNotationsAreRefused(String name) {
        assertThatThrownBy(() -> files.resolve(name))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'" + name + "' is not a file name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "file://conf/"})
    void emptyNamesAreRefused(String name) {
        assertThatThrownBy(() -> files.resolve(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theServersConfDirectoryIsConfOfTheWorkingDirectory() {
        String previous = System.getProperty("working.directory");
        System.setProperty("working.directory", "/opt/sb");
        try {
            assertThat(ConfigFiles.ofServer().confDirectory()).isEqualTo(Path.of("/opt/sb/conf"));
        } finally {
            if (previous == null) {
                System.clearProperty("working.directory");
            } else {
                System.setProperty("working.directory", previous);
            }
        }
    }
}
