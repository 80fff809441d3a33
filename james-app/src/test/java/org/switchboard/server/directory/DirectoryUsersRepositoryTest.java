package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.domainlist.lib.DomainListConfiguration;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.user.api.AlreadyExistInUsersRepositoryException;
import org.apache.james.user.api.InvalidUsernameException;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.routing.LdapDirectoryRouting;
import org.switchboard.directory.routing.RoutingSettings;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;

/** The writable directory users repository against a real embedded ApacheDS, started once for the class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryUsersRepositoryTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;

    private TestDirectory directory;
    private EmbeddedDirectoryServer server;
    private String adminPassword;
    private DirectoryUsersDAO dao;
    private DirectoryUsersRepository repository;
    private LDAPConnectionPool routingPool;
    private LdapDirectoryRouting routing;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        server = directory.server();
        adminPassword = directory.adminPassword();
        MemoryDomainList domains = new MemoryDomainList(null);
        domains.configure(DomainListConfiguration.builder().autoDetect(false).autoDetectIp(false)
            .defaultDomain(Domain.of("example.com")).build());
        domains.addDomain(Domain.of("sales.example.com"));
        domains.addDomain(Domain.of("other.org"));
        DirectoryUsersConfiguration configuration = DirectoryUsersConfiguration.forEmbedded(server, adminPassword);
        // as in the server: contains() is answered by the routing service's cache
        routingPool = DirectoryPools.open(configuration, true, 2, "test-routing");
        routing = new LdapDirectoryRouting(routingPool, SUFFIX, RoutingSettings.defaults());
        dao = new DirectoryUsersDAO(configuration, routing);
        repository = new DirectoryUsersRepository(domains, dao);
    }

    @AfterAll
    void stop() {
        if (dao != null) {
            dao.close();
        }
        if (routing != null) {
            routing.close();
            routingPool.close();
        }
        directory.close();
    }

    private LDAPConnection admin() throws LDAPException {
        return directory.admin();
    }

    private static Username user(String address) {
        return Username.of(address);
    }

    private List<Username> listed() throws UsersRepositoryException {
        List<Username> users = new ArrayList<>();
        repository.list().forEachRemaining(users::add);
        return users;
    }

    @Test
    void listAndCountGoPastOnePageOfResults() throws Exception {
        int before = repository.countUsers();
        int added = 520; // more than one page (500) of the paged search
        try (LDAPConnection admin = admin()) {
            for (int i = 0; i < added; i++) {
                String mail = "bulk" + i + "@example.com";
                admin.add(new com.unboundid.ldap.sdk.Entry("mail=" + mail + "," + SUFFIX,
                    new com.unboundid.ldap.sdk.Attribute("objectClass", "top", "ieperson"),
                    new com.unboundid.ldap.sdk.Attribute("mail", mail)));
            }
        }
        assertThat(repository.countUsers()).isEqualTo(before + added);
        assertThat(listed()).hasSize(before + added).contains(user("bulk519@example.com"));
        try (LDAPConnection admin = admin()) {
            for (int i = 0; i < added; i++) {
                admin.delete("mail=bulk" + i + "@example.com," + SUFFIX);
            }
        }
    }

    @Test
    void addContainsListCountRemove() throws Exception {
        int before = repository.countUsers();
        repository.addUser(user("alice@example.com"), "alice-secret");
        repository.addUser(user("bob.smith@sales.example.com"), "bob-secret");
        repository.addUser(user("carl@other.org"), "carl-secret");

        assertThat(repository.contains(user("alice@example.com"))).isTrue();
        assertThat(repository.contains(user("bob.smith@sales.example.com"))).isTrue();
        assertThat(repository.contains(user("nobody@example.com"))).isFalse();
        assertThat(repository.countUsers()).isEqualTo(before + 3);
        assertThat(listed()).contains(user("alice@example.com"), user("bob.smith@sales.example.com"),
            user("carl@other.org"));
        assertThatThrownBy(() -> repository.addUser(user("alice@example.com"), "again"))
            .isInstanceOf(AlreadyExistInUsersRepositoryException.class);

        try (LDAPConnection admin = admin()) {
            SearchResultEntry alice = admin.getEntry("mail=alice@example.com," + SUFFIX);
            assertThat(alice.getObjectClassValues()).contains("ieperson");
            assertThat(alice.getAttributeValue("cn")).isEqualTo("alice");
            assertThat(alice.getAttributeValue("sn")).isEqualTo("alice");
            SearchResultEntry bob = admin.getEntry("mail=bob.smith@sales.example.com,dc=sales," + SUFFIX);
            assertThat(bob.getAttributeValue("cn")).isEqualTo("bob smith");
            assertThat(bob.getAttributeValue("sn")).isEqualTo("smith");
            assertThat(bob.getAttributeValue("firstname")).isEqualTo("bob");
            assertThat(admin.getEntry("dc=sales," + SUFFIX).getAttributeValue("dc")).isEqualTo("sales");
            assertThat(admin.getEntry("mail=carl@other.org,dc=other,dc=org," + SUFFIX).getAttributeValue("mail"))
                .isEqualTo("carl@other.org");
        }

        repository.removeUser(user("alice@example.com"));
        assertThat(repository.contains(user("alice@example.com"))).isFalse();
        assertThat(repository.test(user("alice@example.com"), "alice-secret")).isFalse();
        assertThat(repository.countUsers()).isEqualTo(before + 2);
        assertThat(listed()).doesNotContain(user("alice@example.com"));
        assertThatThrownBy(() -> repository.removeUser(user("alice@example.com")))
            .isInstanceOf(UsersRepositoryException.class).hasMessage("User alice@example.com does not exist");
    }

    @Test
    void addingNeedsAKnownDomainAndAFullAddress() {
        assertThatThrownBy(() -> repository.addUser(user("eve@unknown.net"), "pw"))
            .isInstanceOf(InvalidUsernameException.class);
        assertThatThrownBy(() -> repository.addUser(user("eve"), "pw"))
            .isInstanceOf(InvalidUsernameException.class);
    }

    @Test
    void passwordIsVerifiedAndChangedThroughTheDirectory() throws Exception {
        repository.addUser(user("frank@example.com"), "first-password");
        assertThat(repository.test(user("frank@example.com"), "first-password")).isTrue();
        assertThat(repository.test(user("frank@example.com"), "wrong-password")).isFalse();
        assertThat(repository.test(user("frank@example.com"), "")).isFalse();
        assertThat(repository.test(user("frank@example.com"), null)).isFalse();

        // what james-cli SetPassword does
        User frank = repository.getUserByName(user("frank@example.com"));
        assertThat(frank.setPassword("second-password")).isTrue();
        repository.updateUser(frank);

        assertThat(repository.test(user("frank@example.com"), "second-password")).isTrue();
        assertThat(repository.test(user("frank@example.com"), "first-password")).isFalse();
    }

    @Test
    void storedPasswordIsHashed() throws Exception {
        repository.addUser(user("grace@example.com"), "grace-clear-text");
        String dn = "mail=grace@example.com," + SUFFIX;
        // the embedded server hides userPassword from LDAP clients: read the stored value in process
        org.apache.directory.api.ldap.model.entry.Entry stored = server.directoryService().getAdminSession()
            .lookup(new org.apache.directory.api.ldap.model.name.Dn(dn), "userPassword");
        byte[] value = stored.get("userPassword").getBytes();
        assertThat(new String(value, StandardCharsets.UTF_8)).startsWith("{SSHA512}")
            .doesNotContain("grace-clear-text");
        assertThat(PasswordUtil.compareCredentials("grace-clear-text".getBytes(StandardCharsets.UTF_8), value))
            .isTrue();
        try (LDAPConnection admin = admin()) {
            assertThat(admin.compare(dn, "userPassword", "grace-clear-text").compareMatched()).isFalse();
        }
    }

    @Test
    void aUserAddedWithLdapAddLogsInAtOnceAndNotOnceDeleted() throws Exception {
        String dn = "mail=heidi@example.com," + SUFFIX;
        byte[] hashed = PasswordUtil.createStoragePassword("heidi-password", LdapSecurityConstants.HASH_METHOD_SSHA512);
        try (LDAPConnection admin = admin()) {
            com.unboundid.ldap.sdk.Entry entry = new com.unboundid.ldap.sdk.Entry(dn);
            entry.addAttribute("objectClass", "top", "ieperson");
            entry.addAttribute("mail", "heidi@example.com");
            entry.addAttribute("cn", "Heidi Klum");
            entry.addAttribute("sn", "Klum");
            entry.addAttribute("userPassword", hashed);
            admin.add(entry);
        }
        assertThat(repository.contains(user("heidi@example.com"))).isTrue();
        assertThat(repository.test(user("heidi@example.com"), "heidi-password")).isTrue();
        assertThat(listed()).contains(user("heidi@example.com"));

        try (LDAPConnection admin = admin()) {
            admin.delete(dn);
        }
        // the routing cache hears of the deletion through its persistent search
        await().atMost(Duration.ofSeconds(5)).until(() -> !repository.contains(user("heidi@example.com")));
        assertThat(repository.test(user("heidi@example.com"), "heidi-password")).isFalse();
    }

    @Test
    void aDisabledUserCannotLogIn() throws Exception {
        repository.addUser(user("ivan@example.com"), "ivan-password");
        String dn = "mail=ivan@example.com," + SUFFIX;
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.ADD, "ieAccountDisabled", "TRUE"));
        }
        assertThat(repository.contains(user("ivan@example.com"))).isTrue();
        assertThat(repository.test(user("ivan@example.com"), "ivan-password")).isFalse();

        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.REPLACE, "ieAccountDisabled", "FALSE"));
        }
        assertThat(repository.test(user("ivan@example.com"), "ivan-password")).isTrue();

        // no userPassword at all: cannot log in either
        try (LDAPConnection admin = admin()) {
            admin.modify(dn, new Modification(ModificationType.DELETE, "userPassword"));
        }
        assertThat(repository.test(user("ivan@example.com"), "ivan-password")).isFalse();
        assertThat(repository.test(user("ivan@example.com"), "")).isFalse();
    }

    @Test
    void filterInjectionFindsNothing() throws Exception {
        repository.addUser(user("judy@example.com"), "judy-password");
        for (String hostile : List.of("*)(mail=*@example.com", "*@example.com", "*", "judy*@example.com",
            "*)(objectClass=*", "judy)(|(mail=*@example.com", "\\2a@example.com")) {
            Username name = user(hostile);
            assertThat(repository.contains(name)).as(hostile).isFalse();
            assertThat(repository.getUserByName(name)).as(hostile).isNull();
            assertThat(repository.test(name, "judy-password")).as(hostile).isFalse();
        }
        assertThat(repository.contains(user("judy@example.com"))).isTrue();
    }

    @Test
    void addressesMatchCaseInsensitively() throws Exception {
        repository.addUser(user("kate@example.com"), "kate-password");
        assertThat(repository.contains(user("KATE@EXAMPLE.COM"))).isTrue();
        assertThat(repository.test(user("Kate@Example.Com"), "kate-password")).isTrue();
        assertThat(repository.getUserByName(user("KATE@example.com")).getUserName())
            .isEqualTo(user("kate@example.com"));
        assertThatThrownBy(() -> repository.addUser(user("KATE@example.com"), "other"))
            .isInstanceOf(AlreadyExistInUsersRepositoryException.class);
        User kate = repository.getUserByName(user("KATE@EXAMPLE.COM"));
        kate.setPassword("kate-new-password");
        repository.updateUser(kate);
        assertThat(repository.test(user("kate@example.com"), "kate-new-password")).isTrue();
    }

    @Test
    void containsIsAnsweredFromTheRoutingCacheOnceAsked() throws Exception {
        repository.addUser(user("mallory@example.com"), "mallory-password");
        assertThat(repository.contains(user("mallory@example.com"))).isTrue();
        long directoryReads = routing.statistics().directoryReads();
        for (int i = 0; i < 100; i++) {
            assertThat(repository.contains(user("mallory@example.com"))).isTrue();
            assertThat(repository.contains(user("nobody-" + (i % 2) + "@example.com"))).isFalse();
        }
        assertThat(routing.statistics().directoryReads()).isLessThanOrEqualTo(directoryReads + 2);
        // an alias of a person is not a user of its own: answered by the directory
        try (LDAPConnection admin = admin()) {
            admin.modify("mail=mallory@example.com," + SUFFIX,
                new Modification(ModificationType.ADD, "ieMailAlias", "mal@example.com"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> routing.lookup(new MailAddress("mal@example.com")).isPresent());
        assertThat(repository.contains(user("mal@example.com"))).isFalse();
        repository.removeUser(user("mallory@example.com"));
        assertThat(repository.contains(user("mallory@example.com"))).isFalse();
    }

    @Test
    void virtualHostingIsAlwaysOn() throws Exception {
        assertThat(repository.supportVirtualHosting()).isTrue();
        assertThat(repository.isReadOnly()).isFalse();
        assertThat(repository.getMailAddressFor(user("kate@example.com")).asString()).isEqualTo("kate@example.com");
    }

    @Test
    void ldapsAndStartTlsWorkWhenTrustIsGrantedAndFailOtherwise() throws Exception {
        repository.addUser(user("leo@example.com"), "leo-password");
        DirectoryUsersConfiguration plain = DirectoryUsersConfiguration.forEmbedded(server, adminPassword);
        DirectoryUsersConfiguration ldaps = plain.withUrl("ldaps://127.0.0.1:" + server.configuration().ldapsPort());

        try (DirectoryUsersDAO secure = new DirectoryUsersDAO(ldaps.withTls(false, true), null)) {
            User leo = secure.getUserByName(user("leo@example.com")).orElseThrow();
            assertThat(leo.verifyPassword("leo-password")).isTrue();
            assertThat(leo.verifyPassword("nope")).isFalse();
        }
        try (DirectoryUsersDAO startTls = new DirectoryUsersDAO(plain.withTls(true, true), null)) {
            assertThat(startTls.getUserByName(user("leo@example.com")).orElseThrow().verifyPassword("leo-password"))
                .isTrue();
        }
        // a self-signed certificate is not trusted unless asked
        assertThatThrownBy(() -> new DirectoryUsersDAO(ldaps.withTls(false, false), null).close())
            .isInstanceOfSatisfying(LDAPException.class,
                e -> assertThat(e.getResultCode()).as(e.getMessage()).isEqualTo(ResultCode.CONNECT_ERROR))
            .hasStackTraceContaining("SSLHandshakeException");
    }
}
