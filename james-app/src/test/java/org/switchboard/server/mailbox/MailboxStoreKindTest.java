package org.switchboard.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailboxStoreKindTest {
    @TempDir
    Path conf;

    @Test
    void rocksDbShouldBeTheStoreWhenNothingIsConfigured() throws Exception {
        assertThat(MailboxStoreKind.configuredIn(conf)).isEqualTo(MailboxStoreKind.ROCKSDB);
    }

    @Test
    void rocksDbShouldBeTheStoreWhenThePropertyIsAbsent() throws Exception {
        Files.writeString(conf.resolve("mailbox.properties"), "# nothing chosen\n");

        assertThat(MailboxStoreKind.configuredIn(conf)).isEqualTo(MailboxStoreKind.ROCKSDB);
    }

    @Test
    void jpaShouldBeChosenByTheProperty() throws Exception {
        Files.writeString(conf.resolve("mailbox.properties"), "mailbox.store = JPA \n");

        assertThat(MailboxStoreKind.configuredIn(conf)).isEqualTo(MailboxStoreKind.JPA);
        assertThat(MailboxStoreKind.configuredIn(conf).module()).isInstanceOf(JpaMailboxStoreModule.class);
    }

    @Test
    void anUnknownStoreShouldBeRefusedWithTheFileAndTheChoices() throws Exception {
        Files.writeString(conf.resolve("mailbox.properties"), "mailbox.store=cassandra\n");

        assertThatThrownBy(() -> MailboxStoreKind.configuredIn(conf))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("mailbox.properties")
            .hasMessageContaining("mailbox.store=cassandra")
            .hasMessageContaining("rocksdb or jpa");
    }
}
