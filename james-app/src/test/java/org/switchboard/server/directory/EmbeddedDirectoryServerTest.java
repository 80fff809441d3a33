package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.server.directory.TestDirectory.assertRefused;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.schema.SchemaLdif;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;
import com.unboundid.ldap.sdk.schema.ObjectClassDefinition;
import com.unboundid.ldap.sdk.schema.Schema;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;

/** A real ApacheDS, started once for the class, spoken to over the socket with the UnboundID SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedDirectoryServerTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;
    private static final String PETER = "mail=peterchan@example.com," + SUFFIX;

    private TestDirectory directory;

    @BeforeAll
    void startServer(@TempDir Path temporaryRoot) throws Exception {
        directory = TestDirectory.start(temporaryRoot);
        try (LDAPConnection admin = admin()) {
            admin.add("dn: " + PETER,
                "objectClass: top",
                "objectClass: ieperson",
                "mail: peterchan@example.com",
                "cn: Peter Chan",
                "firstname: Peter",
                "sn: Chan",
                "streetaddress: 107 Alfaro Street, Makati City",
                "telephonenumber: 1234567",
                "x-permission: SMTPC$Send/Receive",
                "x-permission: LOCAL$Receive",
                "othermailbox: SMTPC$peterchan@otherisp.net",
                "othermailbox: LOCAL$peter@example.com",
                "ieMailAlias: peter@mail.example.com",
                "userPassword: peter-password");
        }
    }

    @AfterAll
    void stopServer() {
        directory.close();
    }

    private LDAPConnection connect() throws LDAPException {
        return directory.connect();
    }

    private LDAPConnection admin() throws LDAPException {
        return directory.admin();
    }

    @Test
    void generatedAdminPasswordIsStoredOwnerOnlyAndBindsWhileTheDefaultDoesNot() throws Exception {
        Path file = directory.root().resolve(EmbeddedDirectoryServer.ADMIN_PASSWORD_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(directory.adminPassword()).hasSize(24).isNotEqualTo("secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
            directory.root().resolve(EmbeddedDirectoryServer.INSTANCE_DIRECTORY)))).isEqualTo("rwx------");
        TestDirectory.assertBindsAs(directory.ldapPort(), EmbeddedDirectoryServer.ADMIN_DN, directory.adminPassword());
        try (LDAPConnection connection = connect()) {
            assertRefused(() -> connection.bind(EmbeddedDirectoryServer.ADMIN_DN, "secret"),
                ResultCode.INVALID_CREDENTIALS);
        }
    }

    @Test
    void everyObjectClassAndAttributeTypeIsLoaded() throws Exception {
        try (LDAPConnection admin = admin()) {
            Schema schema = admin.getSchema();
            for (SchemaLdif.Definition definition : SchemaLdif.definitions()) {
                if (definition.kind() == SchemaLdif.Kind.OBJECT_CLASS) {
                    assertThat(schema.getObjectClass(definition.name())).as(definition.name())
                        .extracting(ObjectClassDefinition::getOID).isEqualTo(definition.oid());
                } else {
                    assertThat(schema.getAttributeType(definition.name())).as(definition.name())
                        .extracting(AttributeTypeDefinition::getOID).isEqualTo(definition.oid());
                }
            }
            assertThat(schema.getAttributeType("otherMailbox").getEqualityMatchingRule())
                .isEqualToIgnoringCase("caseIgnoreIA5Match");
        }
    }

    @Test
    void theSpecificationsExampleEntryIsStoredAsGiven() throws Exception {
        try (LDAPConnection admin = admin()) {
            SearchResultEntry peter = admin.getEntry(PETER);
            assertThat(peter.getObjectClassValues()).contains("ieperson");
            assertThat(peter.getAttributeValues("othermailbox"))
                .containsExactlyInAnyOrder("SMTPC$peterchan@otherisp.net", "LOCAL$peter@example.com");
            assertThat(peter.getAttributeValue("streetAddress")).isEqualTo("107 Alfaro Street, Makati City");
            assertThat(peter.getAttributeValue("firstname")).isEqualTo("Peter");
        }
    }

    @Test
    void invalidEntriesAreRejectedByTheSchema() throws Exception {
        try (LDAPConnection admin = admin()) {
            assertRejected(admin, List.of("dn: cn=nomail," + SUFFIX, "objectClass: ieperson", "cn: nomail"),
                ResultCode.OBJECT_CLASS_VIOLATION);
            assertRejected(admin, person("badroute@example.com", "othermailbox: LOCAL-no-dollar"),
                ResultCode.INVALID_ATTRIBUTE_SYNTAX);
            assertRejected(admin, person("unknown@example.com", "favouriteColour: blue"),
                ResultCode.NO_SUCH_ATTRIBUTE, ResultCode.UNDEFINED_ATTRIBUTE_TYPE, ResultCode.OBJECT_CLASS_VIOLATION);
            assertRejected(admin, person("notallowed@example.com", "ieListMember: someone@example.com"),
                ResultCode.OBJECT_CLASS_VIOLATION);
        }
    }

    private static List<String> person(String mail, String extra) {
        return List.of("dn: mail=" + mail + "," + SUFFIX, "objectClass: ieperson", "mail: " + mail, extra);
    }

    /** The add is refused with one of the codes, and nothing is stored. */
    private static void assertRejected(LDAPConnection connection, List<String> ldif, ResultCode... expected)
        throws LDAPException {
        assertThatThrownBy(() -> connection.add(ldif.toArray(new String[0])))
            .as(String.join(" | ", ldif))
            .isInstanceOfSatisfying(LDAPException.class,
                e -> assertThat(e.getResultCode()).isIn((Object[]) expected));
        assertThat(connection.getEntry(ldif.get(0).substring("dn: ".length()))).as("stored").isNull();
    }

    @Test
    void everyObjectClassAcceptsAValidEntry() throws Exception {
        try (LDAPConnection admin = admin()) {
            admin.add("dn: mail=staff@example.com," + SUFFIX, "objectClass: ielist", "mail: staff@example.com",
                "ieListMember: peterchan@example.com", "ieListMember: Bob@Elsewhere.example",
                "ieListOwnerAddress: peterchan@example.com", "ieListSubscription: CONFIRM", "ieListDigest: TRUE",
                "ieListDigestInterval: DAILY", "ieListDigestMaxMessages: 50", "description: Staff list");
            admin.add("dn: ieRequestToken=0123abcd,mail=staff@example.com," + SUFFIX, "objectClass: ielistrequest",
                "ieRequestToken: 0123abcd", "ieRequestType: SUBSCRIBE", "ieRequestAddress: carol@example.org",
                "ieRequestDate: 20260101120000Z");
            admin.add("dn: cn=shared-sales," + SUFFIX, "objectClass: iemessagestoreshared", "cn: shared-sales",
                "ieSharedFolder: Sales", "ieSharedAccess: peterchan@example.com$lrswi");
            admin.add("dn: cn=main,ou=config," + SUFFIX, "objectClass: ieconfig", "cn: main",
                "ieConfigParameter: postmaster=postmaster@example.com");
            admin.add("dn: cn=mx1,ou=config," + SUFFIX, "objectClass: IEMachine", "cn: mx1",
                "ieHostName: mx1.example.com", "ieMachineRole: SMTPD");
            admin.add("dn: mail=owner@example.com," + SUFFIX, "objectClass: ieperson",
                "objectClass: iemessagestoreuser", "objectClass: ielistowner", "mail: owner@example.com",
                "ieMailQuota: 1073741824", "ieMailQuotaMessages: 100000", "ieOwnedList: staff@example.com");
            assertThat(admin.getEntry("mail=owner@example.com," + SUFFIX).getAttributeValueAsLong("ieMailQuota"))
                .isEqualTo(1073741824L);
        }
    }

    @Test
    void matchingIsCaseInsensitive() throws Exception {
        try (LDAPConnection admin = admin()) {
            assertThat(dnsOf(admin, "(mail=PETERCHAN@EXAMPLE.COM)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(othermailbox=smtpc$PeterChan@OtherISP.NET)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(x-permission=smtpc$send/receive)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(ieMailAlias=PETER@Mail.Example.Com)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(cn=peter chan)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(firstname=PETER)")).containsExactly(PETER);
            assertThat(dnsOf(admin, "(othermailbox=local$*)")).containsExactly(PETER);
            // the DN itself: mail=<address> compares case-insensitively
            assertThat(admin.getEntry("MAIL=PeterChan@Example.COM,DC=Example,DC=Com", "mail").getAttributeValue("mail"))
                .isEqualTo("peterchan@example.com");
        }
    }

    private static List<String> dnsOf(LDAPConnection connection, String filter) throws LDAPException {
        SearchResult result = connection.search(SUFFIX, SearchScope.SUB, Filter.create(filter), "1.1");
        return result.getSearchEntries().stream().map(entry -> entry.getDN().toLowerCase()).toList();
    }

    @Test
    void aUserBindsWithTheirPassword() throws Exception {
        TestDirectory.assertBindsAs(directory.ldapPort(), PETER, "peter-password");
        try (LDAPConnection connection = connect()) {
            assertRefused(() -> connection.bind(PETER, "wrong"), ResultCode.INVALID_CREDENTIALS);
        }
    }

    @Test
    void anonymousCannotModifyNorRead() throws Exception {
        try (LDAPConnection anonymous = connect()) {
            assertRefused(() -> anonymous.modify(PETER,
                new Modification(ModificationType.REPLACE, "othermailbox", "SMTPC$thief@evil.example")),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> anonymous.search(SUFFIX, SearchScope.SUB, "(mail=*)"),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        }
        try (LDAPConnection admin = admin()) {
            assertThat(admin.getEntry(PETER).getAttributeValues("othermailbox"))
                .doesNotContain("SMTPC$thief@evil.example");
        }
    }

    @Test
    void startTlsWorksWithTheServersCertificate() throws Exception {
        try (LDAPConnection connection = directory.connectWithStartTls()) {
            connection.bind(PETER, "peter-password");
            assertThat(connection.getEntry(PETER, "mail").getAttributeValue("mail")).isEqualTo("peterchan@example.com");
        }
    }

    @Test
    void ldapsWorksWithTheServersCertificate() throws Exception {
        SSLUtil trustAll = new SSLUtil(new TrustAllTrustManager());
        try (LDAPConnection connection = new LDAPConnection(trustAll.createSSLSocketFactory(), "127.0.0.1",
            directory.server().configuration().ldapsPort())) {
            directory.assertTlsWithOurCertificate(connection);
            connection.bind(PETER, "peter-password");
            assertThat(connection.getEntry(PETER, "mail").getAttributeValue("mail")).isEqualTo("peterchan@example.com");
        }
    }

    @Test
    void theKeyStoreFileDoesNotOutliveTheStart() throws Exception {
        Path run = directory.root().resolve(EmbeddedDirectoryServer.INSTANCE_DIRECTORY).resolve("run");
        try (var files = Files.list(run)) {
            assertThat(files.filter(file -> file.toString().endsWith(".p12"))).isEmpty();
        }
        assertThat(directory.server().ldapUrl()).isEqualTo("ldap://127.0.0.1:" + directory.ldapPort());
        assertThat(Files.readString(directory.root().resolve(EmbeddedDirectoryServer.ADMIN_PASSWORD_FILE),
            StandardCharsets.UTF_8)).isEqualTo(directory.adminPassword()); // no newline, for ldapsearch -y
    }
}
