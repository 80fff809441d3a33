package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.server.directory.TestDirectory.assertRefused;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SubentriesRequestControl;

/** The life of one instance directory: first start, restarts, failed starts, configuration changes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedDirectoryRestartTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;
    private static final String ALICE = "mail=alice@example.com," + SUFFIX;
    private static final String CONFIGURED_PASSWORD = "a configured password";

    private Path root;
    private DirectoryConfiguration configuration;
    private Path passwordFile;
    private String generatedPassword;

    @BeforeAll
    void createRoot(@TempDir Path temporaryRoot) throws Exception {
        root = temporaryRoot;
        configuration = TestDirectory.configuration(root);
        passwordFile = root.resolve(EmbeddedDirectoryServer.ADMIN_PASSWORD_FILE);
    }

    @Test
    @Order(1)
    void aRestartKeepsSchemaDataAndTheAdministratorPassword() throws Exception {
        try (EmbeddedDirectoryServer first = new EmbeddedDirectoryServer(configuration, root)) {
            first.start();
            generatedPassword = Files.readString(passwordFile).strip();
            try (LDAPConnection admin = bind(generatedPassword)) {
                admin.add("dn: " + ALICE, "objectClass: ieperson", "mail: alice@example.com",
                    "othermailbox: LOCAL$alice@example.com", "x-permission: SMTPC$None");
            }
        }
        assertPortIsFree(configuration.ldapPort());
        assertPortIsFree(configuration.ldapsPort());
        FileTime written = Files.getLastModifiedTime(passwordFile);

        try (EmbeddedDirectoryServer second = new EmbeddedDirectoryServer(configuration, root)) {
            second.start();
            assertThat(Files.readString(passwordFile).strip()).isEqualTo(generatedPassword);
            assertThat(Files.getLastModifiedTime(passwordFile)).isEqualTo(written);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
                .isEqualTo("rw-------");
            assertAliceAndTheSchemaAreThere();
        }
    }

    @Test
    @Order(2)
    void aFailedStartStopsWhatItStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(configuration.ldapsPort(), 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root);
            assertThatThrownBy(server::start).isInstanceOf(EmbeddedDirectoryServer.DirectoryStartupException.class)
                .hasMessageContaining("did not start").hasRootCauseInstanceOf(BindException.class);
            assertThat(server.isRunning()).isFalse();
            assertThat(server.directoryService()).isNull();
            assertPortIsFree(configuration.ldapPort()); // the LDAP listener, opened first, was closed again
        }
    }

    @Test
    @Order(3)
    void aMissingKeyPairIsAClearError() throws Exception {
        Path key = root.resolve(configuration.privateKey());
        Path aside = root.resolve("private.key.aside");
        Files.move(key, aside);
        try {
            EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root);
            assertThatThrownBy(server::start).isInstanceOf(EmbeddedDirectoryServer.DirectoryStartupException.class)
                .hasMessageContaining(key.toString());
            assertThat(server.directoryService()).as("nothing started").isNull();
            assertPortIsFree(configuration.ldapPort());
        } finally {
            Files.move(aside, key);
        }
    }

    @Test
    @Order(4)
    void otherMailboxMatchingIsRepairedWhenTheFirstStartWasInterrupted() throws Exception {
        // as if the first start had stopped between the schema extraction and its patch
        Path otherMailbox = root.resolve(EmbeddedDirectoryServer.INSTANCE_DIRECTORY).resolve(
            "partitions/schema/ou=schema/cn=cosine/ou=attributetypes/m-oid=0.9.2342.19200300.100.1.22.ldif");
        String patched = Files.readString(otherMailbox);
        assertThat(patched).containsIgnoringCase("m-equality: caseIgnoreIA5Match");
        Files.writeString(otherMailbox, patched.lines()
            .filter(line -> !line.toLowerCase().startsWith("m-equality:") && !line.toLowerCase().startsWith("m-substr:"))
            .collect(Collectors.joining("\n", "", "\n")));

        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root)) {
            server.start();
            assertAliceAndTheSchemaAreThere();
        }
        assertThat(Files.readString(otherMailbox)).containsIgnoringCase("m-equality: caseIgnoreIA5Match");
    }

    @Test
    @Order(5)
    void aConfiguredAdministratorPasswordReplacesTheGeneratedOne() throws Exception {
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(withConfiguredPassword(false), root)) {
            server.start();
            TestDirectory.assertBindsAs(configuration.ldapPort(), EmbeddedDirectoryServer.ADMIN_DN,
                CONFIGURED_PASSWORD);
            assertRefused(() -> bind(generatedPassword), ResultCode.INVALID_CREDENTIALS);
        }
        assertThat(passwordFile).doesNotExist();
    }

    @Test
    @Order(6)
    void anExternalDirectoryStartsNothing(@TempDir Path otherRoot) {
        BaseHierarchicalConfiguration xml = new BaseHierarchicalConfiguration();
        xml.addProperty("domain", "example.com");
        xml.addProperty("external", "ldaps://ldap.example.com:636");
        xml.addProperty("adminDn", "cn=switchboard,dc=example,dc=com");
        xml.addProperty("adminPassword", "long-enough-secret");
        EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(DirectoryConfiguration.from(xml, "test"),
            otherRoot);
        server.start();
        assertThat(server.isRunning()).isFalse();
        assertThat(server.ldapUrl()).isEqualTo("ldaps://ldap.example.com:636");
        assertThat(otherRoot.resolve(EmbeddedDirectoryServer.INSTANCE_DIRECTORY)).doesNotExist();
        server.stop();
    }

    @Test
    @Order(7)
    void accessControlSurvivesRestartsIsPutBackAndFollowsTheAnonymousSetting() throws Exception {
        String subentry = DirectoryAccessControl.SUBENTRY_RDN + "," + SUFFIX;
        String listRequests = DirectoryAccessControl.LIST_REQUESTS_SUBENTRY_RDN + "," + SUFFIX;
        String csn;
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(withConfiguredPassword(false), root)) {
            server.start(); // a restart: the access control was set up by the first start (order 1)
            try (LDAPConnection admin = bind(CONFIGURED_PASSWORD)) {
                admin.modify(ALICE, new Modification(ModificationType.REPLACE, "userPassword", "alice-password"));
                SearchResultEntry aci = subentry(admin, subentry);
                assertThat(aci.getAttributeValues("prescriptiveACI"))
                    .containsExactlyInAnyOrderElementsOf(DirectoryAccessControl.prescriptiveAci(false));
                csn = aci.getAttributeValue("entryCSN");
            }
            assertAliceIsRestricted();
        }
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(withConfiguredPassword(false), root)) {
            server.start();
            try (LDAPConnection admin = bind(CONFIGURED_PASSWORD)) {
                assertThat(subentry(admin, subentry).getAttributeValue("entryCSN")).as("unchanged").isEqualTo(csn);
                // as if the data directory came from a release without access control
                admin.delete(subentry);
                admin.delete(listRequests);
                admin.modify(SUFFIX, new Modification(ModificationType.DELETE, "administrativeRole"));
            }
        }
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(withConfiguredPassword(true), root)) {
            server.start();
            try (LDAPConnection admin = bind(CONFIGURED_PASSWORD)) {
                assertThat(subentry(admin, subentry).getAttributeValues("prescriptiveACI"))
                    .containsExactlyInAnyOrderElementsOf(DirectoryAccessControl.prescriptiveAci(true));
                assertThat(subentry(admin, listRequests).getAttributeValues("prescriptiveACI")).hasSize(1);
                assertThat(admin.getEntry(SUFFIX, "administrativeRole").getAttributeValue("administrativeRole"))
                    .isEqualToIgnoringCase("accessControlSpecificArea");
            }
            assertAliceIsRestricted();
            try (LDAPConnection anonymous = new LDAPConnection("127.0.0.1", configuration.ldapPort())) {
                SearchResultEntry alice = anonymous.searchForEntry(SUFFIX, SearchScope.SUB,
                    "(mail=alice@example.com)", "*");
                assertThat(alice.getAttributes()).extracting(attribute -> attribute.getBaseName().toLowerCase())
                    .containsExactlyInAnyOrder("objectclass", "mail"); // alice has no cn; no route, no permission
                assertRefused(() -> anonymous.search(SUFFIX, SearchScope.SUB, "(x-permission=smtpc$none)"),
                    ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
                assertRefused(() -> anonymous.modify(ALICE,
                    new Modification(ModificationType.REPLACE, "cn", "anonymous was here")),
                    ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            }
        }
    }

    /** The same directory, LDAP only, with {@value #CONFIGURED_PASSWORD} as the administrator's password. */
    private DirectoryConfiguration withConfiguredPassword(boolean allowAnonymousAccess) {
        BaseHierarchicalConfiguration xml = new BaseHierarchicalConfiguration();
        xml.addProperty("domain", "example.com");
        xml.addProperty("ldapPort", configuration.ldapPort());
        xml.addProperty("ldapsPort", 0);
        xml.addProperty("startTls", false);
        xml.addProperty("allowAnonymousAccess", allowAnonymousAccess);
        xml.addProperty("adminPassword", CONFIGURED_PASSWORD);
        return DirectoryConfiguration.from(xml, "test");
    }

    private static SearchResultEntry subentry(LDAPConnection admin, String dn) throws LDAPException {
        SearchRequest request = new SearchRequest(dn, SearchScope.BASE, "(objectClass=*)", "prescriptiveACI",
            "entryCSN");
        request.addControl(new SubentriesRequestControl());
        SearchResultEntry entry = admin.searchForEntry(request);
        assertThat(entry).as(dn).isNotNull();
        return entry;
    }

    /** Alice reads, changes her telephone number, but not her own permissions. */
    private void assertAliceIsRestricted() throws LDAPException {
        try (LDAPConnection alice = TestDirectory.bind(configuration.ldapPort(), ALICE, "alice-password")) {
            alice.modify(ALICE, new Modification(ModificationType.REPLACE, "telephoneNumber", "123"));
            assertRefused(() -> alice.modify(ALICE,
                new Modification(ModificationType.REPLACE, "x-permission", "SMTPC$Send/Receive")),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        }
    }

    private void assertAliceAndTheSchemaAreThere() throws Exception {
        try (LDAPConnection admin = bind(generatedPassword)) {
            assertThat(admin.getSchema().getObjectClass("ieperson").getOID()).isEqualTo("1.3.6.1.4.1.32473.1.2.1");
            assertThat(admin.search(SUFFIX, SearchScope.SUB, "(othermailbox=local$ALICE@EXAMPLE.COM)", "1.1")
                .getEntryCount()).isEqualTo(1);
            assertThat(admin.search(SUFFIX, SearchScope.SUB, "(x-permission=smtpc$none)", "1.1")
                .getEntryCount()).isEqualTo(1);
            assertRefused(() -> admin.add("dn: mail=bad@example.com," + SUFFIX, "objectClass: ieperson",
                "mail: bad@example.com", "othermailbox: nodollar"), ResultCode.INVALID_ATTRIBUTE_SYNTAX);
        }
    }

    private LDAPConnection bind(String password) throws LDAPException {
        return TestDirectory.bind(configuration.ldapPort(), EmbeddedDirectoryServer.ADMIN_DN, password);
    }

    private static void assertPortIsFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.isBound()).isTrue();
        }
    }
}
