package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OneClickSettingsTest {
    @TempDir
    Path conf;

    private OneClickSettings read(String properties) throws Exception {
        Files.writeString(conf.resolve(OneClickSettings.FILE), properties);
        return OneClickSettings.read(conf);
    }

    @Test
    void offWithoutAFileOrAPort() throws Exception {
        assertThat(OneClickSettings.read(conf).port()).isEmpty();
        assertThat(read("#oneclick.port=8443\n").port()).isEmpty();
    }

    @Test
    void linksNameTheHostAndThePublicPortUnlessItIs443() throws Exception {
        OneClickSettings direct = read("oneclick.port=8443\noneclick.host=lists.example.com\n");
        assertThat(direct.port()).isEqualTo(Optional.of(8443));
        assertThat(direct.bind()).isEqualTo("0.0.0.0");
        assertThat(direct.authority()).isEqualTo("lists.example.com:8443");

        OneClickSettings proxied = read("oneclick.port=8443\noneclick.host=lists.example.com\noneclick.publicPort=443\n"
            + "oneclick.bind=127.0.0.1\n");
        assertThat(proxied.authority()).isEqualTo("lists.example.com");
        assertThat(proxied.bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void aPortWithoutHostABadPortOrAnUnknownSettingIsRefused() {
        assertThatThrownBy(() -> read("oneclick.port=8443\n")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("oneclick.host must be");
        assertThatThrownBy(() -> read("oneclick.port=99999\noneclick.host=a.example\n"))
            .hasMessageContaining("oneclick.port must be a port");
        assertThatThrownBy(() -> read("oneclick.prot=8443\n")).hasMessageContaining("unknown setting oneclick.prot");
    }
}
