package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;

/**
 * The directory inside the packaged server, administered the James way: {@code james-cli} AddDomain, AddUser,
 * SetPassword, RemoveUser and ListUsers act on {@code ieperson} entries that logins use at once;
 * {@code BuildAliasTable} answers; the directory survives a restart and a {@code kill -9} with every entry intact.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectoryIT {
    private static final String SUFFIX = "dc=example,dc=com";
    private static final String OTHER_DOMAIN = "branch.test";
    private static final String FRANK = "frank@example.com";
    private static final String GRACE = "grace@" + OTHER_DOMAIN;
    private static final String PASSWORD = "Frank-cli-1234";

    @TempDir
    static Path temp;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(temp);
        server.start();
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "DirectoryIT");
    }

    @Test
    @Order(1)
    void addDomainCreatesTheDomainBranchAndAddUserAnIePersonThatLogsIn() throws Exception {
        server.cli("AddDomain", "example.com");
        server.cli("AddDomain", OTHER_DOMAIN);
        server.cli("AddUser", FRANK, PASSWORD);
        server.cli("AddUser", GRACE, PASSWORD);

        try (LDAPConnection ldap = admin()) {
            assertThat(ldap.getEntry("dc=branch,dc=test," + SUFFIX)).as("AddDomain created the dc= branch").isNotNull();
            Entry frank = ldap.getEntry("mail=" + FRANK + "," + SUFFIX);
            assertThat(frank).isNotNull();
            assertThat(frank.getObjectClassValues()).contains("ieperson");
            assertThat(ldap.getEntry("mail=" + GRACE + ",dc=branch,dc=test," + SUFFIX)).isNotNull();
        }
        assertThat(server.cli("ListUsers")).contains(FRANK, GRACE);
        assertThat(MailAccess.imapCount(server.imapPort, FRANK, PASSWORD)).isZero();
        assertThat(MailAccess.pop3(server.pop3Port, GRACE, PASSWORD)).isEmpty();
    }

    @Test
    @Order(2)
    void setPasswordAndRemoveUserActOnTheDirectory() throws Exception {
        String changed = "Grace-new-5678";
        server.cli("SetPassword", GRACE, changed);
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, GRACE, changed)).startsWith("a2 OK");
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, GRACE, PASSWORD)).as("IMAP, old password").startsWith("a2 NO");
        assertThat(MailAccess.pop3LoginAnswer(server.pop3Port, GRACE, PASSWORD)).as("POP3, old password").startsWith("-ERR");
        assertThat(smtpAuth(GRACE, PASSWORD).code()).as("SMTP AUTH, old password").isEqualTo(535);
        assertThat(smtpAuth(GRACE, changed).code()).as("SMTP AUTH, new password").isEqualTo(235);

        server.cli("RemoveUser", GRACE);
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, GRACE, changed)).as("IMAP, removed user").startsWith("a2 NO");
        assertThat(smtpAuth(GRACE, changed).code()).as("SMTP AUTH, removed user").isEqualTo(535);
        try (LDAPConnection ldap = admin()) {
            assertThat(ldap.getEntry("mail=" + GRACE + ",dc=branch,dc=test," + SUFFIX)).isNull();
        }
        assertThat(server.cli("ListUsers")).contains(FRANK).doesNotContain(GRACE);
    }

    @Test
    @Order(3)
    void buildAliasTableRunsOnDemand() throws Exception {
        try (LDAPConnection ldap = admin()) {
            ldap.modify("mail=" + FRANK + "," + SUFFIX,
                new com.unboundid.ldap.sdk.Modification(com.unboundid.ldap.sdk.ModificationType.ADD,
                    "ieMailAlias", "frank.alias@example.com"));
        }
        String output = server.cli("BuildAliasTable");
        assertThat(output).containsPattern("Alias table built: [1-9][0-9]* aliases");
        assertThat(server.cli("DirectoryStatistics")).contains("aliases=");
    }

    @Test
    @Order(4)
    void directorySurvivesARestartAndAKill9() throws Exception {
        List<String> before = everyEntry();
        assertThat(before).contains("mail=" + FRANK + "," + SUFFIX);

        server.stop();
        server.start();
        assertThat(everyEntry()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(MailAccess.imapCount(server.imapPort, FRANK, PASSWORD)).isZero();

        // writes just before the crash must be there after it, and the partition must open again
        server.cli("AddUser", "henry@example.com", PASSWORD);
        List<String> withHenry = everyEntry();
        server.kill9();
        server.start();
        assertThat(everyEntry()).containsExactlyInAnyOrderElementsOf(withHenry);
        assertThat(MailAccess.imapCount(server.imapPort, "henry@example.com", PASSWORD)).isZero();
        assertThat(MailAccess.imapCount(server.imapPort, FRANK, PASSWORD)).isZero();
    }

    /** AUTH PLAIN on the submission port, inside STARTTLS: the server's reply (235 accepted, 535 refused). */
    private static SmtpClient.Reply smtpAuth(String user, String password) throws Exception {
        try (SmtpClient smtp = SmtpClient.connect(server.submissionPort)) {
            smtp.ehlo("client.example");
            smtp.startTls();
            smtp.ehlo("client.example");
            return smtp.authPlain(user, password);
        }
    }

    private static List<String> everyEntry() throws Exception {
        try (LDAPConnection ldap = admin()) {
            SearchResult result = ldap.search(SUFFIX, SearchScope.SUB, "(objectClass=*)", "1.1");
            List<String> dns = new ArrayList<>();
            result.getSearchEntries().forEach(entry -> dns.add(entry.getDN()));
            return dns;
        }
    }

    private static LDAPConnection admin() throws Exception {
        String password = Files.readString(server.home.resolve("var/directory-admin.password"), StandardCharsets.UTF_8).strip();
        return new LDAPConnection("127.0.0.1", server.ldapPort, "uid=admin,ou=system", password);
    }
}
