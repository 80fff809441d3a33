package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.lifecycle.api.StartUpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * The embedded directory started beside the rest of the server: whoever needs it waits until it runs, and a
 * directory that cannot start gives its own error to everyone who waits, and to the start-up check.
 */
class DirectoryConnectionTest {

    @Test
    void connectionSettingsWaitUntilTheDirectoryRuns(@TempDir Path root) throws Exception {
        DirectoryConfiguration configuration = TestDirectory.configuration(root);
        try (DirectoryConnection connection = DirectoryConnection.startInBackground(configuration, root)) {
            // asked at once, while ApacheDS is still starting: the answer comes once it runs, with the password
            // it generated at this first start
            DirectoryUsersConfiguration settings = connection.usersConfiguration();
            assertThat(connection.embedded().orElseThrow().isRunning()).isTrue();
            String generated = Files.readString(root.resolve(EmbeddedDirectoryServer.ADMIN_PASSWORD_FILE)).strip();
            assertThat(settings.bindPassword()).isEqualTo(generated);
            try (LDAPConnection admin = new LDAPConnection("127.0.0.1", configuration.ldapPort())) {
                admin.bind(EmbeddedDirectoryServer.ADMIN_DN, settings.bindPassword());
            }
            assertThat(new DirectoryStartedCheck(connection).check().isGood()).isTrue();
            assertThat(connection.startFailure()).isEmpty();
        }
        assertThat(portIsFree(configuration.ldapPort())).as("close() stopped the directory").isTrue();
    }

    @Test
    void aDirectoryThatCannotStartFailsWhoeverWaitsWithItsError(@TempDir Path root) throws Exception {
        DirectoryConfiguration configuration = TestDirectory.configuration(root);
        try (ServerSocket taken = new ServerSocket(configuration.ldapPort(), 1, InetAddress.getByName("127.0.0.1"));
             DirectoryConnection connection = DirectoryConnection.startInBackground(configuration, root)) {
            assertThatThrownBy(connection::usersConfiguration)
                .isInstanceOf(EmbeddedDirectoryServer.DirectoryStartupException.class)
                .hasMessageContaining("The embedded directory server did not start")
                .hasRootCauseInstanceOf(BindException.class);
            assertThatThrownBy(connection::awaitStarted)
                .isInstanceOf(EmbeddedDirectoryServer.DirectoryStartupException.class);
            assertThat(connection.startFailure().orElseThrow())
                .isInstanceOf(EmbeddedDirectoryServer.DirectoryStartupException.class)
                .hasMessageContaining("did not start");

            StartUpCheck.CheckResult check = new DirectoryStartedCheck(connection).check();
            assertThat(check.isBad()).isTrue();
            assertThat(check.getDescription().orElseThrow()).contains("The embedded directory server did not start");
            assertThat(connection.embedded().orElseThrow().isRunning()).isFalse();
        }
        assertThat(portIsFree(configuration.ldapsPort())).as("nothing of the failed start is left listening").isTrue();
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
