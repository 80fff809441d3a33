package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.switchboard.server.directory.TestDirectory.assertRefused;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import com.unboundid.ldap.sdk.schema.AttributeTypeDefinition;

/**
 * Passwords, access control and limits of the embedded directory as LDAP clients meet them: one real ApacheDS for
 * the class, each test with its own users so that the order does not matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryAccessControlTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;

    private TestDirectory directory;
    private EmbeddedDirectoryServer server;

    @BeforeAll
    void startServer(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        server = directory.server();
    }

    @AfterAll
    void stopServer() {
        directory.close();
    }

    // ----------------------------------------------------------------------------------------------------------
    // hashing

    @Test
    void aClearPasswordAddedOverLdapIsStoredHashedAndStillBinds() throws Exception {
        String dn = person("hash-add", "clear-password");
        assertStoredHashedAndBinds(dn, "clear-password");
    }

    @Test
    void aClearPasswordReplacedOverLdapIsStoredHashedAndStillBinds() throws Exception {
        String dn = person("hash-replace", "first-password");
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.REPLACE, "userPassword", "second-password"));
        }
        assertStoredHashedAndBinds(dn, "second-password");
        assertDoesNotBind(dn, "first-password");
    }

    @Test
    void aPasswordAlreadyHashedIsStoredAsGiven() throws Exception {
        String dn = person("hash-given", "unused-password");
        String hashed = new String(PasswordUtil.createStoragePassword("given-password",
            LdapSecurityConstants.HASH_METHOD_SSHA256), StandardCharsets.UTF_8);
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.REPLACE, "userPassword", hashed));
        }
        assertThat(storedPassword(dn)).isEqualTo(hashed);
        assertBinds(dn, "given-password");
    }

    // ----------------------------------------------------------------------------------------------------------
    // Password Modify extended operation (ldappasswd)

    @Test
    void aUserChangesTheirOwnPasswordWithTheOldOne() throws Exception {
        String dn = person("pwd-self-old", "old-password");
        try (LDAPConnection user = bind(dn, "old-password")) {
            assertThat(passwordModify(user, null, "old-password", "new-password")).isEqualTo(ResultCode.SUCCESS);
            assertThat(passwordModify(user, null, "wrong-password", "other-password"))
                .isEqualTo(ResultCode.INVALID_CREDENTIALS);
        }
        assertStoredHashedAndBinds(dn, "new-password");
        assertDoesNotBind(dn, "old-password");
    }

    @Test
    void aUserChangesTheirOwnPasswordWithoutTheOldOneAndOverStartTls() throws Exception {
        String dn = person("pwd-self-tls", "old-password");
        try (LDAPConnection user = directory.connectWithStartTls()) {
            user.bind(dn, "old-password");
            assertThat(passwordModify(user, dn, null, "new-password")).isEqualTo(ResultCode.SUCCESS);
        }
        assertStoredHashedAndBinds(dn, "new-password");
    }

    @Test
    void aUserCannotChangeAnotherUsersPasswordButTheAdministratorCan() throws Exception {
        String victim = person("pwd-victim", "victim-password");
        String attacker = person("pwd-attacker", "attacker-password");
        try (LDAPConnection user = bind(attacker, "attacker-password")) {
            assertThat(passwordModify(user, victim, null, "stolen-password"))
                .isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> user.modify(victim,
                new Modification(ModificationType.REPLACE, "userPassword", "stolen-password")),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        }
        assertBinds(victim, "victim-password");
        try (LDAPConnection admin = admin()) {
            assertThat(passwordModify(admin, victim, null, "reset-password")).isEqualTo(ResultCode.SUCCESS);
        }
        assertStoredHashedAndBinds(victim, "reset-password");
    }

    // ----------------------------------------------------------------------------------------------------------
    // access control

    @Test
    void aUserReadsOtherEntriesButNoOtherPassword() throws Exception {
        String reader = person("acl-read-reader", "reader-password");
        String other = person("acl-read-other", "other-password", "x-permission: SMTPC$Send/Receive",
            "othermailbox: LOCAL$acl-read-other@example.com");
        try (LDAPConnection user = bind(reader, "reader-password")) {
            SearchResultEntry entry = user.getEntry(other, "*");
            assertThat(entry.getAttributeValue("mail")).isEqualTo("acl-read-other@example.com");
            assertThat(entry.getAttributeValue("telephoneNumber")).isEqualTo("555");
            assertThat(entry.getAttributeValue("x-permission")).isEqualTo("SMTPC$Send/Receive");
            assertThat(entry.hasAttribute("userPassword")).isFalse();
            assertThat(user.getEntry(other, "userPassword").hasAttribute("userPassword")).isFalse();
            assertThat(user.search(SUFFIX, SearchScope.SUB, "(mail=acl-read-*)", "*").getSearchEntries())
                .hasSize(2).noneMatch(found -> !found.getDN().equalsIgnoreCase(reader)
                    && found.hasAttribute("userPassword"));
            // nor learns anything of it through a filter or a compare
            assertRefused(() -> user.search(SUFFIX, SearchScope.SUB, "(userPassword=*)", "1.1"),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> user.compare(other, "userPassword", "other-password"),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            // nor anything of the server's own entries (the administrator's hash)
            assertThat(user.search("ou=system", SearchScope.SUB, "(objectClass=*)", "1.1").getEntryCount()).isZero();
        }
    }

    @Test
    void aUserChangesOnlyTheNonPrivilegedAttributesOfTheirOwnEntry() throws Exception {
        String dn = person("acl-self", "self-password", "x-permission: SMTPC$None");
        try (LDAPConnection user = bind(dn, "self-password")) {
            user.modify(dn, new Modification(ModificationType.REPLACE, "telephoneNumber", "777"),
                new Modification(ModificationType.REPLACE, "cn", "Self Service"),
                new Modification(ModificationType.ADD, "sn", "Service"),
                new Modification(ModificationType.ADD, "firstname", "Self"),
                new Modification(ModificationType.ADD, "street", "1 Main Street"),
                new Modification(ModificationType.ADD, "description", "mine"));
            for (Modification privileged : List.of(
                new Modification(ModificationType.REPLACE, "x-permission", "SMTPC$Send/Receive"),
                new Modification(ModificationType.ADD, "otherMailbox", "SMTPC$thief@evil.example"),
                new Modification(ModificationType.ADD, "ieMailAlias", "boss@example.com"),
                new Modification(ModificationType.ADD, "mail", "boss@example.com"),
                new Modification(ModificationType.ADD, "objectClass", "iemessagestoreuser"),
                new Modification(ModificationType.ADD, "ieAccountDisabled", "FALSE"),
                new Modification(ModificationType.ADD, "entryACI", "{ identificationTag \"mine\", precedence 255, "
                    + "authenticationLevel none, itemOrUserFirst userFirst: { userClasses { thisEntry }, "
                    + "userPermissions { { protectedItems { entry, allUserAttributeTypesAndValues }, "
                    + "grantsAndDenials { grantAdd, grantRemove, grantModify } } } } }"))) {
                assertRefused(() -> user.modify(dn, privileged), ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            }
            assertRefused(() -> user.modifyDN(dn, "mail=boss@example.com", false),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        }
        try (LDAPConnection admin = admin()) {
            SearchResultEntry entry = admin.getEntry(dn, "*");
            assertThat(entry.getAttributeValue("telephoneNumber")).isEqualTo("777");
            assertThat(entry.getAttributeValue("street")).isEqualTo("1 Main Street");
            assertThat(entry.getAttributeValue("x-permission")).isEqualTo("SMTPC$None");
            assertThat(entry.hasAttribute("otherMailbox")).isFalse();
            assertThat(entry.hasAttribute("ieMailAlias")).isFalse();
            // the administrator may do everything
            admin.modify(dn, new Modification(ModificationType.REPLACE, "x-permission", "SMTPC$Send/Receive"),
                new Modification(ModificationType.ADD, "ieMailAlias", "self@example.com"));
            SearchResultEntry changed = admin.getEntry(dn, "x-permission", "ieMailAlias");
            assertThat(changed.getAttributeValue("x-permission")).isEqualTo("SMTPC$Send/Receive");
            assertThat(changed.getAttributeValue("ieMailAlias")).isEqualTo("self@example.com");
        }
    }

    @Test
    void aUserCannotChangeAddOrDeleteOtherEntries() throws Exception {
        String user = person("acl-user", "user-password");
        String other = person("acl-target", "target-password");
        try (LDAPConnection connection = bind(user, "user-password")) {
            assertRefused(() -> connection.modify(other, new Modification(ModificationType.REPLACE, "cn", "x")),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> connection.add("dn: mail=acl-new@example.com," + SUFFIX,
                "objectClass: ieperson", "mail: acl-new@example.com"), ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> connection.delete(other), ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> connection.delete(user), ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        }
        try (LDAPConnection admin = admin()) {
            assertThat(admin.getEntry(other).getAttributeValue("cn")).isEqualTo("acl-target");
            assertThat(admin.getEntry("mail=acl-new@example.com," + SUFFIX)).isNull();
        }
    }

    @Test
    void pendingListRequestsAreHiddenFromUsers() throws Exception {
        String user = person("acl-lister", "lister-password");
        String list = "mail=acl-list@example.com," + SUFFIX;
        String request = "ieRequestToken=secret0123," + list;
        try (LDAPConnection admin = admin()) {
            admin.add("dn: " + list, "objectClass: ielist", "mail: acl-list@example.com",
                "ieListMember: acl-lister@example.com");
            admin.add("dn: " + request, "objectClass: ielistrequest", "ieRequestToken: secret0123",
                "ieRequestType: SUBSCRIBE", "ieRequestAddress: carol@example.org");
            assertThat(admin.getEntry(request, "ieRequestAddress").getAttributeValue("ieRequestAddress"))
                .isEqualTo("carol@example.org");
        }
        try (LDAPConnection connection = bind(user, "lister-password")) {
            assertThat(connection.search(list, SearchScope.SUB, "(objectClass=*)", "1.1").getSearchEntries())
                .extracting(SearchResultEntry::getDN).containsExactly(list);
            assertThat(connection.search(SUFFIX, SearchScope.SUB, "(ieRequestToken=*)", "*").getEntryCount())
                .isZero();
            assertThat(connection.getEntry(request)).isNull(); // as if it did not exist
        }
    }

    @Test
    void theAdministratorStillChangesTheSchemaOverLdap() throws Exception {
        // ApacheDS' ACI interceptor fails on cn=schema changes without SchemaModifyAciFix
        try (LDAPConnection admin = admin()) {
            admin.modify("cn=schema", new Modification(ModificationType.ADD, "attributeTypes",
                "( 1.3.6.1.4.1.32473.1.99.1 NAME 'sbTestAttribute' EQUALITY caseIgnoreMatch "
                    + "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )"));
            AttributeTypeDefinition added = admin.getSchema().getAttributeType("sbTestAttribute");
            assertThat(added.getOID()).isEqualTo("1.3.6.1.4.1.32473.1.99.1");
            assertThat(added.getEqualityMatchingRule()).isEqualToIgnoringCase("caseIgnoreMatch");
        }
    }

    @Test
    void anonymousClientsGetNothingByDefaultNotEvenFromTheRoot() throws Exception {
        person("anon-target", "target-password");
        try (LDAPConnection anonymous = connect()) { // no bind at all
            assertRefused(() -> anonymous.search(SUFFIX, SearchScope.SUB, "(mail=anon-target@example.com)"),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            assertRefused(() -> anonymous.search("", SearchScope.SUB, "(mail=anon-target@example.com)"),
                ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
            // the root DSE stays readable: clients discover StartTLS and the extended operations there
            assertThat(anonymous.getRootDSE().getSupportedExtendedOperationOIDs())
                .contains(PasswordModifyExtendedRequest.PASSWORD_MODIFY_REQUEST_OID);
            assertRefused(() -> anonymous.bind("", ""), ResultCode.INVALID_CREDENTIALS);
        }
    }

    @Test
    void aDisabledAccountCannotBind() throws Exception {
        String dn = person("disabled", "disabled-password");
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.ADD, "ieAccountDisabled", "TRUE"));
            assertDoesNotBind(dn, "disabled-password");
            admin.modify(dn, new Modification(ModificationType.REPLACE, "ieAccountDisabled", "FALSE"));
            assertBinds(dn, "disabled-password");
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // limits and hostile requests

    @Test
    void searchesByUsersAreLimitedButNotTheAdministrators() throws Exception {
        assertThat(server.ldapServer().getMaxSizeLimit()).isEqualTo(1000);
        assertThat(server.ldapServer().getMaxTimeLimit()).isEqualTo(30);
        assertThat(server.directoryService().getMaxPDUSize()).isEqualTo(2 * 1024 * 1024);
        String dn = person("limited", "limited-password");
        person("limited-2", "unused-password");
        person("limited-3", "unused-password");
        server.ldapServer().setMaxSizeLimit(2); // read at each request
        try (LDAPConnection user = bind(dn, "limited-password"); LDAPConnection admin = admin()) {
            assertThatThrownBy(() -> user.search(SUFFIX, SearchScope.SUB, "(mail=limited*)", "mail"))
                .isInstanceOfSatisfying(LDAPSearchException.class, e -> {
                    assertThat(e.getResultCode()).isEqualTo(ResultCode.SIZE_LIMIT_EXCEEDED);
                    assertThat(e.getEntryCount()).isEqualTo(2);
                });
            assertThat(admin.search(SUFFIX, SearchScope.SUB, "(mail=limited*)", "mail").getEntryCount()).isEqualTo(3);
        } finally {
            server.ldapServer().setMaxSizeLimit(DirectoryListeners.MAX_SIZE_LIMIT);
        }
    }

    @Test
    void anOversizedRequestIsRefusedAndTheServerGoesOn() throws Exception {
        try (LDAPConnection admin = admin()) {
            String huge = "x".repeat(3 * 1024 * 1024);
            assertThatThrownBy(() -> admin.add("dn: mail=huge@example.com," + SUFFIX, "objectClass: ieperson",
                "mail: huge@example.com", "description: " + huge))
                .isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getResultCode()).isIn(ResultCode.PROTOCOL_ERROR, ResultCode.SERVER_DOWN));
        }
        assertServerAnswers();
        try (LDAPConnection admin = admin()) {
            assertThat(admin.getEntry("mail=huge@example.com," + SUFFIX)).isNull();
        }
    }

    @Test
    void invalidFiltersGetAnErrorAndTheServerGoesOn() throws Exception {
        try (LDAPConnection admin = admin()) {
            // an empty AND (RFC 4526's absolute true) is a protocol error for ApacheDS, which then disconnects
            assertThatThrownBy(() -> admin.search(SUFFIX, SearchScope.SUB, Filter.createANDFilter(), "1.1"))
                .isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getResultCode()).isIn(ResultCode.PROTOCOL_ERROR, ResultCode.SERVER_DOWN));
        }
        try (LDAPConnection admin = admin()) {
            assertThatThrownBy(() -> admin.search(SUFFIX, SearchScope.SUB,
                Filter.createExtensibleMatchFilter("cn", "1.2.3.4.5", false, "x"), "1.1"))
                .isInstanceOfSatisfying(LDAPException.class, // AM27 does not implement extensible matching
                    e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.OPERATIONS_ERROR));
        }
        assertServerAnswers();
    }

    @Test
    void garbageBytesGetANoticeOfDisconnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.configuration().ldapPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("\u00ff\u00ff\u00ff\u00ff not LDAP".getBytes(StandardCharsets.ISO_8859_1));
            byte[] answer = readUntilClosed(socket.getInputStream());
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).contains("1.3.6.1.4.1.1466.20036");
        }
        assertServerAnswers();
    }

    private static byte[] readUntilClosed(InputStream in) throws Exception {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                read.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed the connection", e);
        }
        return read.toByteArray();
    }

    // ----------------------------------------------------------------------------------------------------------

    private void assertServerAnswers() throws LDAPException {
        try (LDAPConnection admin = admin()) {
            assertThat(admin.getEntry(SUFFIX, "dc").getAttributeValue("dc")).isEqualTo("example");
        }
    }

    /** Adds {@code mail=<local>@example.com} as the administrator, with a clear-text password; returns its DN. */
    private String person(String local, String password, String... extra) throws Exception {
        String dn = "mail=" + local + "@example.com," + SUFFIX;
        List<String> ldif = new ArrayList<>(List.of("dn: " + dn, "objectClass: top", "objectClass: ieperson",
            "mail: " + local + "@example.com", "cn: " + local, "telephoneNumber: 555", "userPassword: " + password));
        ldif.addAll(List.of(extra));
        try (LDAPConnection admin = admin()) {
            admin.add(ldif.toArray(new String[0]));
        }
        return dn;
    }

    private String storedPassword(String dn) throws LDAPException {
        try (LDAPConnection admin = admin()) {
            return admin.getEntry(dn, "userPassword").getAttributeValue("userPassword");
        }
    }

    private LDAPConnection connect() throws LDAPException {
        return directory.connect();
    }

    private LDAPConnection admin() throws LDAPException {
        return directory.admin();
    }

    private LDAPConnection bind(String dn, String password) throws LDAPException {
        return directory.bind(dn, password);
    }

    /** The password is stored {SSHA512}, never in clear, and binds. */
    private void assertStoredHashedAndBinds(String dn, String password) throws LDAPException {
        assertThat(storedPassword(dn)).startsWith("{SSHA512}").doesNotContain(password);
        assertBinds(dn, password);
    }

    private void assertBinds(String dn, String password) throws LDAPException {
        TestDirectory.assertBindsAs(directory.ldapPort(), dn, password);
    }

    private void assertDoesNotBind(String dn, String password) {
        assertRefused(() -> bind(dn, password).close(), ResultCode.INVALID_CREDENTIALS);
    }

    private static ResultCode passwordModify(LDAPConnection connection, String dn, String oldPassword,
                                             String newPassword) throws LDAPException {
        return connection.processExtendedOperation(new PasswordModifyExtendedRequest(dn, oldPassword, newPassword))
            .getResultCode();
    }
}
