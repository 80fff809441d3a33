package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.directory.routing.LdapDirectoryRouting;
import org.switchboard.directory.routing.Permission;
import org.switchboard.directory.routing.OtherMailbox;
import org.switchboard.directory.routing.RoutingSettings;
import org.switchboard.directory.routing.RoutingStatistics;
import org.switchboard.directory.routing.RoutingStatistics.ChangeTracking;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyDNRequest;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;

/**
 * {@link LdapDirectoryRouting} against a real embedded ApacheDS (started once for the class; each test uses its own
 * addresses). Change notification tests use a staleness bound of an hour, so that only the persistent search can
 * explain a change seen within seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LdapDirectoryRoutingTest {
    private static final String SUFFIX = TestDirectory.SUFFIX;
    private static final Duration HOUR = Duration.ofHours(1);
    /** Persistent search only: nothing expires within a test. */
    private static final RoutingSettings NOTIFIED = new RoutingSettings(HOUR, HOUR, 10_000, HOUR, true);
    private static final Duration QUICKLY = Duration.ofSeconds(5);

    private TestDirectory directory;
    private LDAPConnectionPool pool;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        pool = directory.adminPool();
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

    @AfterEach
    void closeRoutings() throws Exception {
        for (AutoCloseable closeable : opened) {
            closeable.close();
        }
        opened.clear();
    }

    private LdapDirectoryRouting routing(RoutingSettings settings) {
        return routing(pool, settings);
    }

    private LdapDirectoryRouting routing(LDAPConnectionPool connections, RoutingSettings settings) {
        LdapDirectoryRouting routing = new LdapDirectoryRouting(connections, SUFFIX, settings);
        opened.add(routing);
        return routing;
    }

    /** A routing whose persistent search is open. */
    private LdapDirectoryRouting notifiedRouting() {
        LdapDirectoryRouting routing = routing(NOTIFIED);
        awaitTracking(routing, ChangeTracking.PERSISTENT_SEARCH, QUICKLY);
        return routing;
    }

    private static void awaitTracking(LdapDirectoryRouting routing, ChangeTracking expected, Duration atMost) {
        await().atMost(atMost).until(() -> routing.statistics().changeTracking() == expected);
    }

    /** Waits, polling often, until the routing answers as expected: a change notification, not staleness, did it. */
    private static void eventually(Callable<Boolean> condition) {
        await().atMost(QUICKLY).pollInterval(Duration.ofMillis(20)).until(condition);
    }

    private static List<OtherMailbox> routes(LdapDirectoryRouting routing, String address) throws Exception {
        return routing.lookup(address(address)).orElseThrow().routes();
    }

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    private void addPerson(String mail, String... attributes) throws Exception {
        List<String> ldif = new ArrayList<>(List.of("dn: mail=" + mail + "," + SUFFIX, "objectClass: top",
            "objectClass: ieperson", "mail: " + mail, "cn: " + mail));
        ldif.addAll(List.of(attributes));
        pool.add(new Entry(ldif.toArray(String[]::new)));
    }

    private void modify(String mail, ModificationType type, String attribute, String... values) throws Exception {
        pool.modify("mail=" + mail + "," + SUFFIX, new Modification(type, attribute, values));
    }

    private static Optional<String> routedMail(LdapDirectoryRouting routing, String address) throws Exception {
        return routing.lookup(address(address)).map(entry -> entry.mail().asString());
    }

    @Test
    void serverAnnouncesPersistentSearch() throws Exception {
        RootDSE rootDse = pool.getRootDSE();
        assertThat(rootDse.supportsControl(LdapDirectoryRouting.PERSISTENT_SEARCH_OID)).isTrue();
    }

    @Test
    void lookupByMailAndAliasCaseInsensitively() throws Exception {
        addPerson("peterchan@example.com",
            "firstname: Peter", "sn: Chan",
            "x-permission: SMTPC$Send/Receive",
            "x-permission: CCMAIL$None",
            "otherMailbox: SMTPC$peterchan@otherisp.net",
            "otherMailbox: LOCAL$peterchan@example.com",
            "ieMailAlias: Peter.Chan@mail.example.com");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults());

        DirectoryEntry peter = routing.lookup(address("PeterChan@EXAMPLE.com")).orElseThrow();
        assertThat(peter.dn()).isEqualToIgnoringCase("mail=peterchan@example.com," + SUFFIX);
        assertThat(peter.mail()).isEqualTo(address("peterchan@example.com"));
        assertThat(peter.hasObjectClass("ieperson")).isTrue();
        assertThat(peter.routes()).containsExactlyInAnyOrder(new OtherMailbox("SMTPC", "peterchan@otherisp.net"),
            new OtherMailbox("LOCAL", "peterchan@example.com"));
        assertThat(peter.permissions()).isEqualTo(Map.of("SMTPC", Permission.SEND_RECEIVE, "CCMAIL", Permission.NONE));
        assertThat(peter.permission("NOTES")).isEqualTo(Permission.SEND_RECEIVE);
        assertThat(peter.aliases()).containsExactly(address("Peter.Chan@mail.example.com"));
        assertThat(peter.disabled()).isFalse();
        assertThat(peter.invalidValues()).isEmpty();

        DirectoryEntry byAlias = routing.lookup(address("PETER.CHAN@Mail.Example.Com")).orElseThrow();
        assertThat(byAlias).isEqualTo(peter);
        assertThat(routing.aliasOwner(address("peter.chan@MAIL.example.com")))
            .contains(address("peterchan@example.com"));
        assertThat(routing.aliasOwner(address("peterchan@example.com"))).isEmpty();

        assertThat(routing.lookup(address("nobody@example.com"))).isEmpty();
        assertThat(routing.aliasOwner(address("nobody@example.com"))).isEmpty();
    }

    @Test
    void listsSharedFoldersAndDisabledAccountsAreFound() throws Exception {
        pool.add(new Entry("dn: mail=staff@example.com," + SUFFIX, "objectClass: top", "objectClass: ielist",
            "mail: staff@example.com", "ieListMember: a@example.com", "ieMailAlias: team@example.com",
            "x-permission: SMTPC$Receive"));
        pool.add(new Entry("dn: cn=support," + SUFFIX, "objectClass: top", "objectClass: iemessagestoreshared",
            "cn: support", "mail: support@example.com", "otherMailbox: LOCAL$support@example.com"));
        addPerson("gone@example.com", "ieAccountDisabled: TRUE");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults());

        DirectoryEntry list = routing.lookup(address("team@example.com")).orElseThrow();
        assertThat(list.hasObjectClass("ielist")).isTrue();
        assertThat(list.mail()).isEqualTo(address("staff@example.com"));
        assertThat(list.permission("smtpc")).isEqualTo(Permission.RECEIVE);
        DirectoryEntry shared = routing.lookup(address("Support@example.com")).orElseThrow();
        assertThat(shared.hasObjectClass("iemessagestoreshared")).isTrue();
        assertThat(shared.routes()).containsExactly(new OtherMailbox("LOCAL", "support@example.com"));
        assertThat(routing.lookup(address("gone@example.com")).orElseThrow().disabled()).isTrue();
    }

    @Test
    void invalidValuesAreReportedNotThrown() throws Exception {
        addPerson("broken@example.com",
            "otherMailbox: BAD CHANNEL$broken@example.com",
            "otherMailbox: SMTPC$",
            "otherMailbox: SMTPC$broken@otherisp.net",
            "x-permission: SMTPC$Maybe",
            "x-permission: LOCAL$Receive",
            "ieMailAlias: not-an-address");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults());

        DirectoryEntry broken = routing.lookup(address("broken@example.com")).orElseThrow();
        assertThat(broken.routes()).containsExactly(new OtherMailbox("SMTPC", "broken@otherisp.net"));
        assertThat(broken.permissions()).isEqualTo(Map.of("LOCAL", Permission.RECEIVE));
        assertThat(broken.aliases()).isEmpty();
        assertThat(broken.invalidValues()).containsExactlyInAnyOrder(
            "otherMailbox: BAD CHANNEL$broken@example.com", "otherMailbox: SMTPC$", "x-permission: SMTPC$Maybe",
            "ieMailAlias: not-an-address");
        // a second lookup (cached or not) answers the same, and nothing is thrown
        routing.invalidateAll();
        assertThat(routing.lookup(address("broken@example.com")).orElseThrow().invalidValues()).hasSize(4);
    }

    @Test
    void negativeAnswersAreCachedForTheNegativeTtlOnly() throws Exception {
        // no notifications: only the TTL can make the new entry visible
        RoutingSettings settings = new RoutingSettings(HOUR, Duration.ofSeconds(4), 1000, HOUR, false);
        LdapDirectoryRouting routing = routing(settings);
        assertThat(routing.statistics().changeTracking()).isEqualTo(ChangeTracking.BOUNDED_STALENESS);

        assertThat(routing.lookup(address("late@example.com"))).isEmpty();
        long readsBefore = routing.statistics().directoryReads();
        addPerson("late@example.com");
        assertThat(routing.lookup(address("late@example.com"))).isEmpty();
        assertThat(routing.statistics().directoryReads()).isEqualTo(readsBefore);
        assertThat(routing.statistics().negativeCacheHits()).isEqualTo(1);

        long begin = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> routedMail(routing, "late@example.com").isPresent());
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(8));

        // and positive answers are kept (no notifications, an hour of staleness)
        modify("late@example.com", ModificationType.ADD, "otherMailbox", "SMTPC$late@otherisp.net");
        assertThat(routing.lookup(address("late@example.com")).orElseThrow().routes()).isEmpty();
        routing.invalidateAll();
        assertThat(routing.lookup(address("late@example.com")).orElseThrow().routes())
            .containsExactly(new OtherMailbox("SMTPC", "late@otherisp.net"));
    }

    @Test
    void statisticsCountLookupsHitsAndReads() throws Exception {
        addPerson("counted@example.com");
        // no persistent search: its opening drops the cache, which would make the counts depend on timing
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults().withPersistentSearch(false));
        routing.lookup(address("counted@example.com"));
        routing.lookup(address("COUNTED@example.com"));
        routing.lookup(address("uncounted@example.com"));
        routing.lookup(address("uncounted@example.com"));
        RoutingStatistics statistics = routing.statistics();
        assertThat(statistics.lookups()).isEqualTo(4);
        assertThat(statistics.cacheHits()).isEqualTo(2);
        assertThat(statistics.negativeCacheHits()).isEqualTo(1);
        assertThat(statistics.directoryReads()).isEqualTo(2);
        assertThat(statistics.directoryErrors()).isZero();
        assertThat(statistics.aliasTableBuilds()).isGreaterThanOrEqualTo(1);
        assertThat(statistics.aliasTableAgeMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void modifiedRouteIsSeenThroughThePersistentSearch() throws Exception {
        addPerson("mover@example.com", "otherMailbox: LOCAL$mover@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routing.lookup(address("mover@example.com")).orElseThrow().routes())
            .containsExactly(new OtherMailbox("LOCAL", "mover@example.com"));
        assertThat(routing.lookup(address("mover@example.com")).orElseThrow().routes()).hasSize(1);
        assertThat(routing.statistics().cacheHits()).isEqualTo(1);

        long begin = System.nanoTime();
        modify("mover@example.com", ModificationType.REPLACE, "otherMailbox", "SMTPC$mover@otherisp.net");
        eventually(() -> routes(routing, "mover@example.com")
            .equals(List.of(new OtherMailbox("SMTPC", "mover@otherisp.net"))));
        Duration seenAfter = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(seenAfter).isLessThan(QUICKLY); // maxStaleness is an hour: only the notification explains it
        assertThat(routing.statistics().changeNotifications()).isGreaterThanOrEqualTo(1);
        assertThat(routing.statistics().invalidations()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void persistentSearchOutlivesTheConnectionsResponseTimeout() throws Exception {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setResponseTimeoutMillis(2000);
        try (LDAPConnectionPool impatient = new LDAPConnectionPool(
            new SingleServerSet("127.0.0.1", directory.ldapPort(), options),
            new SimpleBindRequest(EmbeddedDirectoryServer.ADMIN_DN, directory.adminPassword()), 1, 4)) {
            addPerson("patient@example.com", "otherMailbox: LOCAL$patient@example.com");
            LdapDirectoryRouting routing = routing(impatient, NOTIFIED);
            awaitTracking(routing, ChangeTracking.PERSISTENT_SEARCH, QUICKLY);
            assertThat(routedMail(routing, "patient@example.com")).isPresent();
            Thread.sleep(4500);
            assertThat(routing.statistics().changeTracking()).isEqualTo(ChangeTracking.PERSISTENT_SEARCH);
            assertThat(routedMail(routing, "patient@example.com")).isPresent();
            assertThat(routing.statistics().cacheHits()).isEqualTo(1); // never reopened, so never dropped
            modify("patient@example.com", ModificationType.REPLACE, "otherMailbox", "SMTPC$patient@otherisp.net");
            eventually(() -> routes(routing, "patient@example.com")
                .equals(List.of(new OtherMailbox("SMTPC", "patient@otherisp.net"))));
        }
    }

    @Test
    void addedEntryReplacesACachedUnknownThroughThePersistentSearch() throws Exception {
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routing.lookup(address("newcomer@example.com"))).isEmpty();
        assertThat(routing.lookup(address("newcomer@example.com"))).isEmpty();
        assertThat(routing.statistics().negativeCacheHits()).isEqualTo(1);
        addPerson("newcomer@example.com");
        eventually(() -> routedMail(routing, "newcomer@example.com").isPresent());
    }

    @Test
    void newAliasIsSeenAfterTheChangeNotification() throws Exception {
        addPerson("aliased@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routing.aliasOwner(address("nick@example.com"))).isEmpty();
        assertThat(routing.lookup(address("nick@example.com"))).isEmpty();

        modify("aliased@example.com", ModificationType.ADD, "ieMailAlias", "Nick@example.com");
        eventually(() -> routing.aliasOwner(address("nick@example.com")).isPresent());
        assertThat(routing.aliasOwner(address("NICK@example.com"))).contains(address("aliased@example.com"));
        eventually(() -> routedMail(routing, "nick@example.com").equals(Optional.of("aliased@example.com")));

        // and an alias taken away is gone from both
        modify("aliased@example.com", ModificationType.DELETE, "ieMailAlias", "nick@example.com");
        eventually(() -> routing.aliasOwner(address("nick@example.com")).isEmpty()
                && routing.lookup(address("nick@example.com")).isEmpty());
    }

    @Test
    void newAliasIsSeenAfterRebuildAliasTable() throws Exception {
        addPerson("rebuilt@example.com");
        RoutingSettings noNotifications = NOTIFIED.withPersistentSearch(false);
        LdapDirectoryRouting routing = routing(noNotifications);
        assertThat(routing.aliasOwner(address("rebuilt-alias@example.com"))).isEmpty();
        assertThat(routing.lookup(address("rebuilt-alias@example.com"))).isEmpty();

        modify("rebuilt@example.com", ModificationType.ADD, "ieMailAlias", "rebuilt-alias@example.com");
        assertThat(routing.aliasOwner(address("rebuilt-alias@example.com"))).isEmpty(); // the table is an hour old
        int before = routing.statistics().aliases();
        assertThat(routing.rebuildAliasTable()).isEqualTo(before + 1);
        assertThat(routing.aliasOwner(address("rebuilt-alias@example.com"))).contains(address("rebuilt@example.com"));
        // rebuilding drops the entry cache too
        assertThat(routedMail(routing, "rebuilt-alias@example.com")).contains("rebuilt@example.com");
    }

    @Test
    void periodicRebuildSeesNewAliasesWithoutNotifications() throws Exception {
        addPerson("periodic@example.com");
        LdapDirectoryRouting routing = routing(new RoutingSettings(HOUR, Duration.ZERO, 1000,
            Duration.ofMillis(500), false));
        modify("periodic@example.com", ModificationType.ADD, "ieMailAlias", "periodic-alias@example.com");
        await().atMost(QUICKLY).until(() -> routing.aliasOwner(address("periodic-alias@example.com")).isPresent());
        // negativeTtl 0: unknown answers are not cached, so the lookup sees the alias at once
        assertThat(routedMail(routing, "periodic-alias@example.com")).contains("periodic@example.com");
    }

    @Test
    void ambiguousAliasIsLeftOut() throws Exception {
        addPerson("first-claimant@example.com", "ieMailAlias: contested@example.com", "ieMailAlias: mine@example.com");
        addPerson("second-claimant@example.com", "ieMailAlias: Contested@example.com");
        addPerson("holder@example.com");
        addPerson("usurper@example.com", "ieMailAlias: holder@example.com");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults());

        assertThat(routing.aliasOwner(address("contested@example.com"))).isEmpty();
        assertThat(routing.lookup(address("contested@example.com"))).isEmpty();
        assertThat(routing.aliasOwner(address("mine@example.com"))).contains(address("first-claimant@example.com"));
        // an alias that is another entry's mail: the entry wins
        assertThat(routing.aliasOwner(address("holder@example.com"))).isEmpty();
        assertThat(routedMail(routing, "holder@example.com")).contains("holder@example.com");
    }

    @Test
    void ambiguityResolvedByAChangeIsSeen() throws Exception {
        addPerson("claimant-a@example.com", "ieMailAlias: disputed@example.com");
        addPerson("claimant-b@example.com", "ieMailAlias: disputed@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routing.lookup(address("disputed@example.com"))).isEmpty();
        assertThat(routing.aliasOwner(address("disputed@example.com"))).isEmpty();

        // b gives it up: the cached "unknown" came from a and b, so b's change voids it
        modify("claimant-b@example.com", ModificationType.DELETE, "ieMailAlias", "disputed@example.com");
        eventually(() -> routedMail(routing, "disputed@example.com").equals(Optional.of("claimant-a@example.com"))
                && routing.aliasOwner(address("disputed@example.com")).isPresent());
    }

    @Test
    void deletedEntryIsGone() throws Exception {
        addPerson("leaver@example.com", "ieMailAlias: leaver-alias@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routedMail(routing, "leaver@example.com")).isPresent();
        assertThat(routedMail(routing, "leaver-alias@example.com")).isPresent();
        assertThat(routing.aliasOwner(address("leaver-alias@example.com"))).isPresent();

        pool.delete("mail=leaver@example.com," + SUFFIX);
        eventually(() -> routing.lookup(address("leaver@example.com")).isEmpty()
                && routing.lookup(address("leaver-alias@example.com")).isEmpty()
                && routing.aliasOwner(address("leaver-alias@example.com")).isEmpty());
    }

    @Test
    void renamedEntryIsSeenUnderItsNewAddress() throws Exception {
        addPerson("oldname@example.com", "ieMailAlias: renamed-alias@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        assertThat(routedMail(routing, "oldname@example.com")).contains("oldname@example.com");
        assertThat(routedMail(routing, "renamed-alias@example.com")).contains("oldname@example.com");

        // new RDN, old mail value deleted: the entry's new mail is newname
        pool.modifyDN(new ModifyDNRequest("mail=oldname@example.com," + SUFFIX, "mail=newname@example.com", true));
        eventually(() -> routing.lookup(address("oldname@example.com")).isEmpty()
                && routedMail(routing, "newname@example.com").equals(Optional.of("newname@example.com"))
                && routedMail(routing, "renamed-alias@example.com").equals(Optional.of("newname@example.com")));
        eventually(() -> routing.aliasOwner(address("renamed-alias@example.com"))
            .equals(Optional.of(address("newname@example.com"))));
    }

    @Test
    void lookupAllAnswersAsLookupWithOneReadPerBatch() throws Exception {
        addPerson("batch-holder@example.com", "ieMailAlias: Batch-Alias@example.com");
        addPerson("batch-usurper@example.com", "ieMailAlias: batch-holder@example.com");
        addPerson("batch-claimant-a@example.com", "ieMailAlias: batch-contested@example.com");
        addPerson("batch-claimant-b@example.com", "ieMailAlias: batch-contested@example.com");
        List<MailAddress> asked = new ArrayList<>();
        for (int i = 0; i < 2 * LdapDirectoryRouting.LOOKUP_BATCH + 50; i++) {
            asked.add(address("member" + i + "@r" + (i % 7) + ".test"));
        }
        asked.addAll(List.of(address("BATCH-holder@example.com"), address("batch-alias@EXAMPLE.com"),
            address("batch-contested@example.com"), address("batch-holder@example.com"),
            address("member3@r3.test"), address("\"*\"@example.com")));
        // no persistent search: its opening drops the cache, which would make the counts depend on timing
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults().withPersistentSearch(false));
        LdapDirectoryRouting oneByOne = routing(RoutingSettings.defaults().withPersistentSearch(false).withCacheSize(0));

        Map<MailAddress, Optional<DirectoryEntry>> answers = routing.lookupAll(asked);

        assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(new java.util.HashSet<>(asked));
        for (MailAddress address : asked) {
            assertThat(answers.get(address)).as(address.asString()).isEqualTo(oneByOne.lookup(address));
        }
        assertThat(answers.get(address("batch-alias@EXAMPLE.com")).orElseThrow().mail())
            .isEqualTo(address("batch-holder@example.com"));
        assertThat(answers.get(address("batch-contested@example.com"))).isEmpty();
        // 454 distinct addresses (two spellings of one count once), LOOKUP_BATCH per search
        assertThat(routing.statistics().directoryReads()).isEqualTo(3);
        assertThat(routing.statistics().lookups()).isEqualTo(454);

        // cached as lookup's answers are
        assertThat(routing.lookupAll(asked)).isEqualTo(answers);
        assertThat(routing.lookup(address("member7@r0.test"))).isEmpty();
        assertThat(routing.statistics().directoryReads()).isEqualTo(3);
    }

    @Test
    void lookupAllFallsBackToSingleReadsWhenABatchExceedsItsSizeLimit() throws Exception {
        // 33 entries claim one alias: more than the 32 entries a batch of two addresses may return
        for (int i = 0; i < 33; i++) {
            addPerson("crowd" + i + "@example.com", "ieMailAlias: crowded@example.com");
        }
        addPerson("outside-crowd@example.com");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults().withPersistentSearch(false));

        Map<MailAddress, Optional<DirectoryEntry>> answers = routing.lookupAll(
            List.of(address("crowded@example.com"), address("outside-crowd@example.com")));

        assertThat(answers.get(address("crowded@example.com"))).isEmpty();
        assertThat(answers.get(address("outside-crowd@example.com")).orElseThrow().mail())
            .isEqualTo(address("outside-crowd@example.com"));
        assertThat(routing.statistics().directoryReads()).isEqualTo(3);
    }

    @Test
    void answersOfLookupAllFollowTheChangesReported() throws Exception {
        addPerson("batch-claimant-c@example.com", "ieMailAlias: batch-disputed@example.com");
        addPerson("batch-claimant-d@example.com", "ieMailAlias: batch-disputed@example.com");
        LdapDirectoryRouting routing = notifiedRouting();
        Map<MailAddress, Optional<DirectoryEntry>> answers = routing.lookupAll(
            List.of(address("batch-late@example.com"), address("batch-disputed@example.com")));
        assertThat(answers.values()).containsOnly(Optional.empty());

        // each cached "unknown" is voided by the change that concerns it: a new entry, the end of an ambiguity
        addPerson("batch-late@example.com");
        modify("batch-claimant-d@example.com", ModificationType.DELETE, "ieMailAlias", "batch-disputed@example.com");
        eventually(() -> routedMail(routing, "batch-late@example.com").isPresent()
            && routedMail(routing, "batch-disputed@example.com").equals(Optional.of("batch-claimant-c@example.com")));
    }

    @Test
    void escapedFilterValuesFindNothingElse() throws Exception {
        addPerson("star@example.com");
        LdapDirectoryRouting routing = routing(RoutingSettings.defaults());
        assertThat(routing.lookup(address("\"*\"@example.com"))).isEmpty();
        assertThat(routing.lookup(address("\"s*)(mail=*\"@example.com"))).isEmpty();
        assertThat(routedMail(routing, "star@example.com")).isPresent();
    }

    @Test
    void poolOfOneConnectionIsRefusedWithPersistentSearch() throws Exception {
        try (LDAPConnectionPool single = new LDAPConnectionPool(
            new SingleServerSet("127.0.0.1", directory.ldapPort()),
            new SimpleBindRequest(EmbeddedDirectoryServer.ADMIN_DN, directory.adminPassword()), 1, 1)) {
            assertThatThrownBy(() -> new LdapDirectoryRouting(single, SUFFIX, RoutingSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("persistent search");
            // without persistent search, one connection serves the lookups
            addPerson("single@example.com");
            LdapDirectoryRouting routing = routing(single, RoutingSettings.defaults().withPersistentSearch(false));
            assertThat(routing.statistics().changeTracking()).isEqualTo(ChangeTracking.BOUNDED_STALENESS);
            assertThat(routedMail(routing, "single@example.com")).contains("single@example.com");
        }
    }

    /** Its own server, stopped and started again. */
    @Test
    void stoppedServerIsAnErrorNeverAnEmptyAnswer(@TempDir Path root) throws Exception {
        TestDirectory own = TestDirectory.start(root);
        try (LDAPConnectionPool ownPool = own.adminPool()) {
            ownPool.add(new Entry("dn: mail=steady@example.com," + SUFFIX, "objectClass: ieperson",
                "mail: steady@example.com", "otherMailbox: LOCAL$steady@example.com",
                "ieMailAlias: steady-alias@example.com"));
            LdapDirectoryRouting routing = routing(ownPool, NOTIFIED.withNegativeTtl(Duration.ZERO));
            awaitTracking(routing, ChangeTracking.PERSISTENT_SEARCH, QUICKLY);
            assertThat(routedMail(routing, "steady@example.com")).isPresent();

            own.server().stop();
            awaitTracking(routing, ChangeTracking.CONNECTING, QUICKLY);
            assertThatThrownBy(() -> routing.lookup(address("unknown@example.com")))
                .isInstanceOf(DirectoryUnavailableException.class).hasMessageContaining("unknown@example.com");
            // what was read before is still answered within maxStaleness: mail keeps flowing through a restart
            assertThat(routedMail(routing, "steady@example.com")).isPresent();
            assertThatThrownBy(routing::rebuildAliasTable).isInstanceOf(DirectoryUnavailableException.class)
                .hasMessageStartingWith("Directory: cannot build the alias table")
                .cause().isInstanceOfSatisfying(LDAPException.class, // the server is down, not a refusal
                    e -> assertThat(e.getResultCode().isConnectionUsable()).as(e.getMessage()).isFalse());
            assertThat(routing.statistics().directoryErrors()).isGreaterThanOrEqualTo(3);

            own.server().start();
            awaitTracking(routing, ChangeTracking.PERSISTENT_SEARCH, Duration.ofSeconds(30));
            assertThat(routedMail(routing, "steady@example.com")).isPresent();
            ownPool.modify("mail=steady@example.com," + SUFFIX,
                new Modification(ModificationType.REPLACE, "otherMailbox", "SMTPC$steady@otherisp.net"));
            eventually(() -> routes(routing, "steady@example.com")
                .equals(List.of(new OtherMailbox("SMTPC", "steady@otherisp.net"))));
        } finally {
            closeRoutings();
            own.close();
        }
    }
}
