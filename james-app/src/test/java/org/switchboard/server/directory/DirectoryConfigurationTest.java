package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryConfigurationTest {
    @TempDir
    Path directory;

    @Test
    void theDefaultFileGivesTheDocumentedDefaults() throws Exception {
        DirectoryConfiguration configuration = DirectoryConfiguration.load(
            Path.of(getClass().getResource("/directory.xml").toURI()));
        assertThat(configuration.domain()).isEqualTo("example.com");
        assertThat(configuration.suffix()).isEqualTo("dc=example,dc=com");
        assertThat(configuration.isExternal()).isFalse();
        assertThat(configuration.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(configuration.ldapPort()).isEqualTo(10389);
        assertThat(configuration.ldapsPort()).isEqualTo(10636);
        assertThat(configuration.startTls()).isTrue();
        assertThat(configuration.allowAnonymousAccess()).isFalse();
        assertThat(configuration.adminPassword()).isEmpty();
        assertThat(configuration.privateKey()).isEqualTo("conf/tls/private.key");
        assertThat(configuration.certificates()).isEqualTo("conf/tls/certificate.pem");
    }

    @Test
    void theShippedFileHoldsTheDefaults() throws Exception {
        // conf/directory.xml tells administrators its values are the defaults: only <domain> is set there
        DirectoryConfiguration shipped = DirectoryConfiguration.load(Path.of("..", "conf", "directory.xml"));
        assertThat(shipped).isEqualTo(load("<directory><domain>example.com</domain></directory>"));
    }

    @Test
    void theSuffixMayBeSpelledFreelyAndIsKeptLowerCase() throws Exception {
        DirectoryConfiguration configuration = load(
            "<directory><domain>example.com</domain><suffix> DC=Mail , dc = Example,DC=COM </suffix></directory>");
        assertThat(configuration.suffix()).isEqualTo("dc=mail,dc=example,dc=com");
    }

    @Test
    void theAdministratorPasswordIsTakenAsWrittenAndApacheDsDefaultIsRefused() throws Exception {
        assertThat(load("<directory><domain>example.com</domain><adminPassword>A Pass Phrase 12</adminPassword>"
            + "</directory>").adminPassword()).contains("A Pass Phrase 12");
        assertThatThrownBy(() -> load("<directory><domain>example.com</domain><adminPassword>secret</adminPassword>"
            + "</directory>")).hasMessageContaining("<adminPassword> is too short");
    }

    @Test
    void aMinimalFileNeedsOnlyTheDomain() throws Exception {
        DirectoryConfiguration configuration = load("<directory><domain>Sales.IMA.net</domain></directory>");
        assertThat(configuration.suffix()).isEqualTo("dc=sales,dc=ima,dc=net");
        assertThat(configuration.ldapPort()).isEqualTo(10389);
        assertThat(configuration.toString()).doesNotContain("password=");
    }

    @Test
    void anExternalServerIsAnLdapUrl() throws Exception {
        DirectoryConfiguration configuration = load(
            "<directory><domain>example.com</domain><external>ldap://ldap.example.com:389</external>"
                + "<adminDn>cn=switchboard,dc=example,dc=com</adminDn><adminPassword>long-enough-secret</adminPassword>"
                + "</directory>");
        assertThat(configuration.isExternal()).isTrue();
        assertThat(configuration.external()).hasValueSatisfying(uri -> assertThat(uri.getHost())
            .isEqualTo("ldap.example.com"));
        assertThat(configuration.adminDn()).isEqualTo("cn=switchboard,dc=example,dc=com");
    }

    @Test
    void anExternalServerNeedsTheAccountSwitchboardBindsWith() {
        assertThatThrownBy(() -> load(
            "<directory><domain>example.com</domain><external>ldap://ldap.example.com:389</external></directory>"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("<external> needs <adminDn> and <adminPassword>");
        assertThatThrownBy(() -> load("<directory><domain>example.com</domain><adminDn>cn=x</adminDn></directory>"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("<adminDn> is for an <external> server only");
    }

    @Test
    void everyErrorIsReportedAtOnceWithItsElement() {
        assertThatThrownBy(() -> load("<directory><suffix>o=example.com</suffix><external>http://x</external>"
            + "<bindAddress>localhost</bindAddress><ldapPort>70000</ldapPort><ldapsPort>-1</ldapsPort>"
            + "<startTls>yes</startTls><adminPassword>short</adminPassword><colour>blue</colour></directory>"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("directory.xml: invalid directory configuration")
            .hasMessageContaining("<domain> is required")
            .hasMessageContaining("<suffix> 'o=example.com'")
            .hasMessageContaining("<external> 'http://x'")
            .hasMessageContaining("<bindAddress> 'localhost'")
            .hasMessageContaining("<ldapPort> '70000'")
            .hasMessageContaining("<ldapsPort> '-1'")
            .hasMessageContaining("<startTls> 'yes'")
            .hasMessageContaining("<adminPassword> is too short")
            .hasMessageContaining("unknown element <colour>");
    }

    @Test
    void theSamePortTwiceIsRefused() {
        assertThatThrownBy(() -> load("<directory><domain>example.com</domain><ldapPort>3890</ldapPort>"
            + "<ldapsPort>3890</ldapsPort></directory>")).hasMessageContaining("both 3890");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> DirectoryConfiguration.load(directory.resolve("directory.xml")))
            .hasMessageContaining("directory.xml: directory configuration file not found");
    }

    private DirectoryConfiguration load(String xml) throws Exception {
        Path file = directory.resolve("directory.xml");
        Files.writeString(file, xml);
        return DirectoryConfiguration.load(file);
    }
}
