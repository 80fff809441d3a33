package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess;
import org.switchboard.it.PackagedServer;
import org.switchboard.it.SmtpClient;
import org.switchboard.it.SmtpClient.Reply;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;

/**
 * The directory of the packaged server driven with Debian's {@code ldap-utils}, as an administrator and users do:
 * people added with {@code ldapadd} log in over IMAP and POP3 at once, mail to an alias reaches its owner, a route
 * changed with {@code ldapmodify} is followed by the next message without a restart, users may change their own
 * telephone number and password ({@code ldappasswd}) but not their permissions or other people's entries, and
 * disabled or deleted people cannot log in.
 *
 * <p>One server; the tests run in order and build on each other's entries.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectoryInteropIT {
    private static final String DOMAIN = "example.test";
    private static final String SUFFIX = "dc=example,dc=test";
    private static final String ALIAS_DOMAIN = "mail.example.test";
    private static final String DAVE = "dave@" + DOMAIN;
    private static final String DAVE_DN = "mail=" + DAVE + "," + SUFFIX;
    private static final String DAVE_PASSWORD = "Dave-ldap-4242";
    private static final String ERIN = "erin@" + DOMAIN;
    private static final String ERIN_DN = "mail=" + ERIN + "," + SUFFIX;
    private static final String ERIN_PASSWORD = "Erin-ldap-5353";
    private static final String ADMIN_DN = "uid=admin,ou=system";
    /** RFC 2606: never resolves; mail routed there ends in SMTPC (deferred or failed), which logs it. */
    private static final String FOREIGN = "dave@foreign.invalid";
    private static final Duration PROGRAM_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    /** psearch invalidation is immediate; the negative cache and the staleness bound are the worst case. */
    private static final Duration DIRECTORY_CHANGE = Duration.ofSeconds(30);
    private static final List<Program> PROGRAMS = List.of(new Program("ldapadd", "ldap-utils"),
        new Program("ldapmodify", "ldap-utils"), new Program("ldapsearch", "ldap-utils"),
        new Program("ldappasswd", "ldap-utils"), new Program("ldapdelete", "ldap-utils"));

    @TempDir
    static Path temp;
    private static PackagedServer server;
    private static String ldapUrl;
    private static Path adminPasswordFile;

    @BeforeAll
    static void boot() throws Exception {
        DebianPrograms.requireAll(PROGRAMS, Map.of());
        server = PackagedServer.unpack(temp);
        server.rewrite("directory.xml", "<domain>example.com</domain>", "<domain>" + DOMAIN + "</domain>");
        server.start();
        server.cli("AddDomain", DOMAIN);
        server.cli("AddDomain", ALIAS_DOMAIN);
        ldapUrl = "ldap://127.0.0.1:" + server.ldapPort;
        adminPasswordFile = server.home.resolve("var/directory-admin.password");
        assertThat(Files.getPosixFilePermissions(adminPasswordFile)).as("generated admin password: owner only")
            .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "DirectoryInteropIT");
    }

    @Test
    @Order(1)
    void ldapaddedPersonLogsInOverImapAndPop3() throws Exception {
        Outcome add = asAdmin("ldapadd", ldif(
            "dn: " + DAVE_DN,
            "objectClass: top",
            "objectClass: ieperson",
            "mail: " + DAVE,
            "cn: Dave Example",
            "sn: Example",
            "firstname: Dave",
            "telephoneNumber: 1234567",
            "ieMailAlias: dave@" + ALIAS_DOMAIN,
            "userPassword: " + DAVE_PASSWORD,
            "",
            "dn: " + ERIN_DN,
            "objectClass: top",
            "objectClass: ieperson",
            "mail: " + ERIN,
            "cn: Erin Example",
            "sn: Example",
            "userPassword: " + ERIN_PASSWORD));
        assertThat(add.exitCode()).as(add.describe()).isZero();

        Outcome stored = asAdmin("ldapsearch", List.of("-LLL", "-b", SUFFIX, "(mail=" + DAVE + ")", "userPassword"));
        assertThat(stored.exitCode()).as(stored.describe()).isZero();
        assertThat(stored.output()).as("the clear password sent by ldapadd is stored hashed\n" + stored.describe())
            .doesNotContain(DAVE_PASSWORD)
            .doesNotContain("userPassword: " + DAVE_PASSWORD);

        assertThat(MailAccess.imapCount(server.imapPort, DAVE, DAVE_PASSWORD)).isZero();
        assertThat(MailAccess.pop3(server.pop3Port, DAVE, DAVE_PASSWORD)).isEmpty();
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, DAVE, "wrong-" + DAVE_PASSWORD))
            .as("a wrong password").startsWith("a2 NO");
    }

    @Test
    @Order(2)
    void mailToAnAliasReachesItsOwner() throws Exception {
        String subject = "to the alias " + UUID.randomUUID();
        sendFromOutside("dave@" + ALIAS_DOMAIN, subject);
        awaitSubject(DAVE, DAVE_PASSWORD, subject);
    }

    @Test
    @Order(3)
    void routeChangedWithLdapmodifyIsFollowedByTheNextMessage() throws Exception {
        Outcome toErin = asAdmin("ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "replace: otherMailbox",
            "otherMailbox: LOCAL$" + ERIN));
        assertThat(toErin.exitCode()).as(toErin.describe()).isZero();
        String first = "routed to erin " + UUID.randomUUID();
        await().atMost(DIRECTORY_CHANGE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            String probe = first + " " + UUID.randomUUID();
            sendFromOutside(DAVE, probe);
            awaitSubject(ERIN, ERIN_PASSWORD, probe);
        });

        Outcome toRemote = asAdmin("ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "replace: otherMailbox",
            "otherMailbox: SMTPC$" + FOREIGN));
        assertThat(toRemote.exitCode()).as(toRemote.describe()).isZero();
        String second = "routed to the SMTPC channel " + UUID.randomUUID();
        sendFromOutside(DAVE, second);
        await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
            assertThat(server.smtpcHandled(FOREIGN)).as("relayed by SMTPC").isTrue());
        assertThat(MailAccess.imapSubjects(server.imapPort, ERIN, ERIN_PASSWORD)).doesNotContain(second);
        assertThat(MailAccess.imapSubjects(server.imapPort, DAVE, DAVE_PASSWORD)).doesNotContain(second);

        Outcome back = asAdmin("ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "delete: otherMailbox"));
        assertThat(back.exitCode()).as(back.describe()).isZero();
    }

    @Test
    @Order(4)
    void usersChangeOnlyTheirOwnNonPrivilegedAttributes() {
        Outcome ownPhone = asUser(DAVE_DN, DAVE_PASSWORD, "ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "replace: telephoneNumber",
            "telephoneNumber: 7654321"));
        assertThat(ownPhone.exitCode()).as(ownPhone.describe()).isZero();

        Outcome ownPermission = asUser(DAVE_DN, DAVE_PASSWORD, "ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "replace: x-permission",
            "x-permission: SMTPC$Send/Receive"));
        assertThat(ownPermission.exitCode()).as("own x-permission: insufficient access (50)\n" + ownPermission.describe())
            .isEqualTo(50);

        Outcome ownRoute = asUser(DAVE_DN, DAVE_PASSWORD, "ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "add: otherMailbox",
            "otherMailbox: SMTPC$thief@foreign.invalid"));
        assertThat(ownRoute.exitCode()).as(ownRoute.describe()).isEqualTo(50);

        Outcome othersName = asUser(DAVE_DN, DAVE_PASSWORD, "ldapmodify", ldif(
            "dn: " + ERIN_DN,
            "changetype: modify",
            "replace: cn",
            "cn: Not Erin"));
        assertThat(othersName.exitCode()).as("another user's entry\n" + othersName.describe()).isEqualTo(50);

        Outcome othersPassword = asUser(DAVE_DN, DAVE_PASSWORD, "ldappasswd", List.of("-s", "Stolen-pass-1", ERIN_DN));
        assertThat(othersPassword.exitCode()).as("another user's password\n" + othersPassword.describe()).isNotZero();

        Outcome readBack = asAdmin("ldapsearch", List.of("-LLL", "-b", SUFFIX, "(mail=" + ERIN + ")", "cn"));
        assertThat(readBack.output()).contains("cn: Erin Example").doesNotContain("Not Erin");
    }

    @Test
    @Order(5)
    void ldappasswdByAUserOnTheirOwnEntryChangesTheirLogin() throws Exception {
        String newPassword = "Dave-changed-9191";
        Outcome passwd = asUser(DAVE_DN, DAVE_PASSWORD, "ldappasswd", List.of("-a", DAVE_PASSWORD, "-s", newPassword));
        assertThat(passwd.exitCode()).as(passwd.describe()).isZero();
        assertThat(MailAccess.imapCount(server.imapPort, DAVE, newPassword)).isGreaterThanOrEqualTo(1);
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, DAVE, DAVE_PASSWORD))
            .as("the old password no longer works").startsWith("a2 NO");
        // the other tests keep using the first password
        Outcome back = asUser(DAVE_DN, newPassword, "ldappasswd", List.of("-a", newPassword, "-s", DAVE_PASSWORD));
        assertThat(back.exitCode()).as(back.describe()).isZero();
    }

    @Test
    @Order(6)
    void disabledAndDeletedPeopleCannotLogIn() throws Exception {
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, ERIN, ERIN_PASSWORD)).as("IMAP, enabled").startsWith("a2 OK");
        assertThat(MailAccess.pop3LoginAnswer(server.pop3Port, ERIN, ERIN_PASSWORD)).as("POP3, enabled").startsWith("+OK");
        Outcome disable = asAdmin("ldapmodify", ldif(
            "dn: " + ERIN_DN,
            "changetype: modify",
            "replace: ieAccountDisabled",
            "ieAccountDisabled: TRUE"));
        assertThat(disable.exitCode()).as(disable.describe()).isZero();
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, ERIN, ERIN_PASSWORD)).as("IMAP, disabled").startsWith("a2 NO");
        assertThat(MailAccess.pop3LoginAnswer(server.pop3Port, ERIN, ERIN_PASSWORD)).as("POP3, disabled").startsWith("-ERR");

        Outcome delete = asAdmin("ldapdelete", List.of(ERIN_DN));
        assertThat(delete.exitCode()).as(delete.describe()).isZero();
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, ERIN, ERIN_PASSWORD)).as("IMAP, deleted").startsWith("a2 NO");
        assertThat(server.cli("ListUsers")).contains(DAVE).doesNotContain(ERIN);
    }

    @Test
    @Order(7)
    void schemaViolationsAreRefusedByTheServer() {
        Outcome noMail = asAdmin("ldapadd", ldif(
            "dn: cn=nomail," + SUFFIX,
            "objectClass: top",
            "objectClass: ieperson",
            "cn: nomail"));
        assertThat(noMail.exitCode()).as("ieperson without mail: object class violation (65)\n" + noMail.describe())
            .isEqualTo(65);
        Outcome badRoute = asAdmin("ldapmodify", ldif(
            "dn: " + DAVE_DN,
            "changetype: modify",
            "add: otherMailbox",
            "otherMailbox: no-dollar-sign"));
        assertThat(badRoute.exitCode()).as("othermailbox without CHANNEL$: invalid syntax (21)\n" + badRoute.describe())
            .isEqualTo(21);
    }

    @Test
    @Order(8)
    void wholeDirectoryExportedToLdifImportsBackWithItsPasswords() throws Exception {
        Outcome export = asAdmin("ldapsearch", List.of("-LLL", "-o", "ldif-wrap=no", "-b", SUFFIX, "(objectClass=*)",
            "*"));
        assertThat(export.exitCode()).as(export.describe()).isZero();
        assertThat(export.output()).contains("dn: " + DAVE_DN).containsPattern("(?m)^userPassword::? ");
        Path ldif = temp.resolve("directory.ldif");
        Files.writeString(ldif, export.output(), StandardCharsets.UTF_8);
        long entries = export.output().lines().filter(line -> line.startsWith("dn: ")).count();

        Outcome delete = asAdmin("ldapdelete", List.of(DAVE_DN));
        assertThat(delete.exitCode()).as(delete.describe()).isZero();
        assertThat(MailAccess.imapLoginAnswer(server.imapPort, DAVE, DAVE_PASSWORD)).as("IMAP, deleted").startsWith("a2 NO");

        // -c: the entries that still exist (the suffix, ou=config) are reported and skipped
        Outcome restore = asAdmin("ldapadd", List.of("-c", "-f", ldif.toString()));
        assertThat(restore.output()).as(restore.describe()).contains("adding new entry \"" + DAVE_DN + "\"");
        Outcome again = asAdmin("ldapsearch", List.of("-LLL", "-b", SUFFIX, "(objectClass=*)", "1.1"));
        assertThat(again.output().lines().filter(line -> line.startsWith("dn: ")).count()).isEqualTo(entries);
        assertThat(MailAccess.imapCount(server.imapPort, DAVE, DAVE_PASSWORD)).isGreaterThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private static void sendFromOutside(String recipient, String subject) throws Exception {
        byte[] message = ("From: carol@remote.test\r\nTo: " + recipient + "\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + UUID.randomUUID() + "@remote.test>\r\n\r\nHello.\r\n").getBytes(StandardCharsets.UTF_8);
        try (SmtpClient smtp = SmtpClient.connectFrom("127.0.0.2", server.smtpPort)) {
            smtp.greeting();
            smtp.ehlo("remote.test");
            Reply reply = smtp.send("carol@remote.test", recipient, message);
            assertThat(reply.code()).as("sending to %s: %s", recipient, reply).isEqualTo(250);
            smtp.quit();
        }
    }

    private static void awaitSubject(String user, String password, String subject) {
        await().atMost(DELIVERY).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
            assertThat(MailAccess.imapSubjects(server.imapPort, user, password)).contains(subject));
    }

    private static Outcome asAdmin(String program, Path ldif) {
        return asAdmin(program, List.of("-f", ldif.toString()));
    }

    private static Outcome asAdmin(String program, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(program, "-x", "-ZZ", "-H", ldapUrl, "-D", ADMIN_DN,
            "-y", adminPasswordFile.toString()));
        command.addAll(arguments);
        return DebianPrograms.run(temp, Map.of("LDAPTLS_REQCERT", "never"), PROGRAM_TIMEOUT, command);
    }

    private static Outcome asUser(String dn, String password, String program, Path ldif) {
        return asUser(dn, password, program, List.of("-f", ldif.toString()));
    }

    /** Binds as the user over StartTLS (-ZZ: the password never travels in clear). */
    private static Outcome asUser(String dn, String password, String program, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(program, "-x", "-ZZ", "-H", ldapUrl, "-D", dn, "-w", password));
        command.addAll(arguments);
        return DebianPrograms.run(temp, Map.of("LDAPTLS_REQCERT", "never"), PROGRAM_TIMEOUT, command);
    }

    private static Path ldif(String... lines) {
        try {
            Path file = Files.createTempFile(temp, "change", ".ldif");
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
