package org.switchboard.server.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.server.directory.TestDirectory;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;

/**
 * The list administration ({@link ListManagement}, behind {@code james-cli CreateList} and its siblings) and the
 * directory's rule that only a list's owner (bound as the list with its password) and the administrator change a
 * list, against a real embedded ApacheDS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListManagementTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;
    private static final String PERSON_PASSWORD = "person-password-1";

    private TestDirectory directory;
    private LDAPConnectionPool pool;
    private ListManagement management;

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        pool = directory.adminPool();
        management = new ListManagement(pool, SUFFIX,
            ListTestMailboxes.digests(new RecordingContext(), new LdapBounceRecords(pool)), ListTestMailboxes.archive());
        pool.add(new Entry("dn: mail=mallory@example.com," + SUFFIX, "objectClass: top", "objectClass: ieperson",
            "mail: mallory@example.com", "userPassword: " + PERSON_PASSWORD));
    }

    @AfterAll
    void stop() {
        if (pool != null) {
            pool.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    private static String newList() {
        return "team-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    }

    @Test
    void createDescribeModifySearchAndDelete() throws Exception {
        String list = newList();
        management.createList(list, "open", "Team talk");
        management.setMember(list, "alice@example.com", "IMMEDIATE");
        management.setMember(list, "bob@example.com", "digest");
        management.modifyList(list, "subscription", "closed");
        management.modifyList(list, "subjectPrefix", "[team]");
        management.modifyList(list, "addOwner", "erin@example.com");
        management.modifyList(list, "block", "@Spam.Invalid");
        management.modifyList(list, "replyTo", "list");
        management.modifyList(list, "maxMessageSize", "1048576");

        assertThat(management.describeList(list)).contains("list: " + list)
            .contains("description: Team talk")
            .contains("posting: OPEN")
            .contains("subscription: CLOSED")
            .contains("subject prefix: [team]")
            .contains("owner: erin@example.com")
            .contains("blocked: @spam.invalid")
            .contains("reply-to: " + list)
            .contains("max message size: 1048576")
            .contains("member: alice@example.com IMMEDIATE")
            .contains("member: bob@example.com DIGEST");
        assertThat(management.searchLists("team talk")).singleElement().asString().startsWith(list + " posting=OPEN");

        management.setMember(list, "bob@example.com", "IMMEDIATE");
        management.removeMember(list, "alice@example.com");
        management.modifyList(list, "subjectPrefix", "-");
        assertThat(management.describeList(list)).contains("member: bob@example.com IMMEDIATE")
            .doesNotContain("alice@example.com").contains("subject prefix: \n");

        management.deleteList(list);
        assertThat(management.searchLists(list)).isEmpty();
        assertThatThrownBy(() -> management.describeList(list)).hasMessage("No list " + list);
    }

    @Test
    void digestSettingsDeliveryModesDigestOnRequestAndTheArchive() throws Exception {
        String list = newList();
        management.createList(list, "OPEN", "");
        management.setMember(list, "alice@example.com", "IMMEDIATE");
        management.modifyList(list, "digestInterval", "weekly friday 17:30");
        management.modifyList(list, "digestMaxMessages", "20");
        management.setDeliveryMode(list, "alice@example.com", "digest");

        assertThat(management.describeList(list)).contains("digest schedule: WEEKLY FRIDAY 17:30")
            .contains("digest max messages: 20").contains("member: alice@example.com DIGEST");
        assertThat(management.sendListDigest(list)).as("nothing kept yet").isZero();
        assertThatThrownBy(() -> management.setDeliveryMode(list, "bob@example.com", "DIGEST"))
            .hasMessage("bob@example.com is not a member of " + list);
        assertThatThrownBy(() -> management.modifyList(list, "digestInterval", "HOURLY"))
            .hasMessageContaining("DAILY, WEEKLY or MONTHLY");
        assertThatThrownBy(() -> management.listArchive(list, "date")).hasMessageContaining("keeps no archive");
        management.modifyList(list, "archive", "true");
        assertThat(management.listArchive(list, "thread")).isEmpty();
        assertThatThrownBy(() -> management.listArchive(list, "size")).hasMessageContaining("not an archive order");
    }

    @Test
    void refusesBadInputWithAClearMessage() throws Exception {
        String list = newList();
        management.createList(list, "MEMBERS", "");

        assertThatThrownBy(() -> management.createList(list, "MEMBERS", "")).hasMessageContaining("exists already");
        assertThatThrownBy(() -> management.createList(newList(), "sometimes", ""))
            .hasMessageContaining("'sometimes' is not a posting policy");
        assertThatThrownBy(() -> management.modifyList(list, "colour", "blue")).hasMessageContaining("Unknown setting");
        assertThatThrownBy(() -> management.modifyList(list, "archive", "maybe"))
            .hasMessageContaining("archive is true or false");
        assertThatThrownBy(() -> management.modifyList(list, "maxMessageSize", "big"))
            .hasMessageContaining("number of octets");
        assertThatThrownBy(() -> management.setMember(list, "not an address", "IMMEDIATE"))
            .hasMessageContaining("is not a mail address");
        assertThatThrownBy(() -> management.removeMember(list, "nobody@example.com"))
            .hasMessage("nobody@example.com is not a member of " + list);
        assertThatThrownBy(() -> management.createList("x@unknown.invalid", "OPEN", ""))
            .hasMessageContaining("no such object").hasMessageContaining("AddDomain");
        assertThatThrownBy(() -> management.setListPassword(list, "short")).hasMessageContaining("at least 8");
    }

    @Test
    void onlyTheListOwnerAndTheAdministratorChangeAList() throws Exception {
        String list = newList();
        String dn = "mail=" + list + "," + SUFFIX;
        management.createList(list, "MEMBERS", "Owned");
        management.setListPassword(list, "owner-password-1");

        try (LDAPConnection owner = directory.bind(dn, "owner-password-1")) {
            owner.modify(dn, new Modification(ModificationType.ADD, "ieListMember", "carol@example.com"));
            owner.modify(dn, new Modification(ModificationType.REPLACE, "ieListPosting", "OPEN"));
            owner.modify(dn, new Modification(ModificationType.REPLACE, "userPassword", "owner-password-2"));
            assertRefused(() -> owner.modify(dn, new Modification(ModificationType.ADD, "otherMailbox",
                "SMTPC$elsewhere@remote.invalid")));
            assertRefused(() -> owner.modify(dn, new Modification(ModificationType.ADD, "ieMailAlias",
                "alias@example.com")));
        }
        assertThat(management.describeList(list)).contains("member: carol@example.com IMMEDIATE")
            .contains("posting: OPEN");
        directory.bind(dn, "owner-password-2").close();

        try (LDAPConnection someone = directory.bind("mail=mallory@example.com," + SUFFIX, PERSON_PASSWORD)) {
            assertRefused(() -> someone.modify(dn, new Modification(ModificationType.ADD, "ieListMember",
                "mallory@example.com")));
            assertRefused(() -> someone.modify(dn, new Modification(ModificationType.REPLACE, "ieListPosting",
                "OPEN")));
            assertRefused(() -> someone.delete(dn));
        }
        assertThat(management.describeList(list)).doesNotContain("mallory");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable operation) {
        assertThatThrownBy(operation).isInstanceOfSatisfying(LDAPException.class,
            e -> assertThat(e.getResultCode()).as(e.getMessage()).isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS));
    }
}
