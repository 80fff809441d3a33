package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

/** Which changes void which kept answers: the bookkeeping that lets one change drop only what it affects. */
class LookupCacheTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String ALICE_DN = "mail=alice@example.com,dc=example,dc=com";
    private static final String BOB_DN = "mail=bob@example.com,dc=example,dc=com";

    private final LookupCache cache = new LookupCache(new RoutingSettings(HOUR, HOUR, 100, HOUR, true));

    private static EntryReader.Resolution found(String mail, String... dependencies) throws Exception {
        DirectoryEntry entry = new DirectoryEntry("mail=" + mail + ",dc=example,dc=com", new MailAddress(mail),
            Set.of("ieperson"), List.of(), Map.of(), List.of(), false, List.of());
        return new EntryReader.Resolution(Optional.of(entry), Set.of(dependencies));
    }

    private static EntryReader.Resolution unknown(String... dependencies) {
        return new EntryReader.Resolution(Optional.empty(), Set.of(dependencies));
    }

    private void keep(String key, EntryReader.Resolution resolution) {
        cache.keep(key, resolution, cache.readStarts());
    }

    @Test
    void anAnswerIsServedUntilAChangeOfAnEntryItCameFrom() throws Exception {
        keep("alias@example.com", found("alice@example.com", ALICE_DN, BOB_DN));
        keep("bob@example.com", found("bob@example.com", BOB_DN));
        assertThat(cache.current("alias@example.com")).map(answer -> answer.entry().orElseThrow().mail().asString())
            .contains("alice@example.com");

        // bob's entry changed (e.g. gave up a contested alias): both answers computed from it are void
        cache.changed(BOB_DN, null, Set.of("bob@example.com"));
        assertThat(cache.current("alias@example.com")).isEmpty();
        assertThat(cache.current("bob@example.com")).isEmpty();
        assertThat(cache.invalidations()).isEqualTo(2);
    }

    @Test
    void aChangeLeavesAnswersFromOtherEntriesAlone() throws Exception {
        keep("alice@example.com", found("alice@example.com", ALICE_DN));
        cache.changed(BOB_DN, null, Set.of("bob@example.com"));
        assertThat(cache.current("alice@example.com")).isPresent();
        assertThat(cache.invalidations()).isZero();
    }

    @Test
    void aNewAddressVoidsTheCachedUnknown() {
        keep("new@example.com", unknown());
        assertThat(cache.current("new@example.com")).hasValueSatisfying(answer -> assertThat(answer.entry()).isEmpty());
        cache.changed("mail=someone@example.com,dc=example,dc=com", null, Set.of("someone@example.com",
            "new@example.com"));
        assertThat(cache.current("new@example.com")).isEmpty();
    }

    @Test
    void aRenameVoidsWhatCameFromThePreviousDn() throws Exception {
        keep("alice@example.com", found("alice@example.com", ALICE_DN));
        cache.changed("mail=alicia@example.com,dc=example,dc=com", ALICE_DN, Set.of("alicia@example.com"));
        assertThat(cache.current("alice@example.com")).isEmpty();
    }

    @Test
    void anAnswerWhoseReadOverlappedAChangeIsNotKept() throws Exception {
        LookupCache.ReadStart start = cache.readStarts();
        cache.changed(ALICE_DN, null, Set.of("alice@example.com")); // while the directory was being read
        cache.keep("alice@example.com", found("alice@example.com", ALICE_DN), start);
        assertThat(cache.current("alice@example.com")).isEmpty();

        keep("alice@example.com", found("alice@example.com", ALICE_DN)); // read after it: kept
        assertThat(cache.current("alice@example.com")).isPresent();
    }

    @Test
    void invalidateAllVoidsEverythingReadBefore() throws Exception {
        keep("alice@example.com", found("alice@example.com", ALICE_DN));
        keep("nobody@example.com", unknown());
        cache.invalidateAllAfterGap();
        assertThat(cache.current("alice@example.com")).isEmpty();
        assertThat(cache.current("nobody@example.com")).isEmpty();
        assertThat(cache.invalidations()).isEqualTo(2);
    }

    @Test
    void unknownAddressesAreNotKeptWithANegativeTtlOfZeroNorAnythingWithoutACache() throws Exception {
        LookupCache noNegative = new LookupCache(new RoutingSettings(HOUR, Duration.ZERO, 100, HOUR, true));
        noNegative.keep("nobody@example.com", unknown(), noNegative.readStarts());
        noNegative.keep("alice@example.com", found("alice@example.com", ALICE_DN), noNegative.readStarts());
        assertThat(noNegative.current("nobody@example.com")).isEmpty();
        assertThat(noNegative.current("alice@example.com")).isPresent();

        LookupCache none = new LookupCache(new RoutingSettings(HOUR, HOUR, 0, HOUR, true));
        none.keep("alice@example.com", found("alice@example.com", ALICE_DN), none.readStarts());
        assertThat(none.current("alice@example.com")).isEmpty();
    }
}
