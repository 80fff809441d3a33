package org.switchboard.matchers.lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.directory.routing.RoutingStatistics;

/** {@link ListCommandAddress} over a directory in memory (the real one: ListsIT). */
class ListCommandAddressTest {
    /** Entries by address, and a switch to make the directory fail. */
    private static final class Directory implements DirectoryRouting {
        /** By lower-cased address: the directory matches case-insensitively. */
        private final Map<String, DirectoryEntry> entries = new HashMap<>();
        private boolean unavailable;

        Directory entry(String mail, String objectClass) throws Exception {
            MailAddress address = new MailAddress(mail);
            entries.put(mail.toLowerCase(java.util.Locale.ROOT), new DirectoryEntry("mail=" + mail + ",dc=example,dc=com", address,
                Set.of(objectClass), List.of(), Map.of(), List.of(), false, List.of()));
            return this;
        }

        @Override
        public Optional<DirectoryEntry> lookup(MailAddress address) throws DirectoryUnavailableException {
            if (unavailable) {
                throw new DirectoryUnavailableException("down", null);
            }
            return Optional.ofNullable(entries.get(address.asString().toLowerCase(java.util.Locale.ROOT)));
        }

        @Override
        public Optional<MailAddress> aliasOwner(MailAddress address) {
            return Optional.empty();
        }

        @Override
        public int rebuildAliasTable() {
            return 0;
        }

        @Override
        public void invalidateAll() {
        }

        @Override
        public RoutingStatistics statistics() {
            throw new UnsupportedOperationException();
        }
    }

    private static ListCommandAddress matcher(Directory directory) throws MessagingException {
        ListCommandAddress matcher = new ListCommandAddress(directory);
        matcher.init(FakeMatcherConfig.builder().matcherName("ListCommandAddress").build());
        return matcher;
    }

    @Test
    void matchesTheCommandAddressesOfListsOnly() throws Exception {
        Directory directory = new Directory().entry("staff@example.com", "ielist")
            .entry("alice@example.com", "ieperson")
            .entry("team-request@example.com", "ieperson")
            .entry("team@example.com", "ielist");
        FakeMail mail = FakeMail.builder().name("m").recipients("staff-request@example.com",
            "STAFF-Subscribe@example.com", "staff-unsubscribe@example.com", "staff-bounces@example.com",
            "staff@example.com", "alice-request@example.com", "nobody-request@example.com",
            "team-request@example.com", "-request@example.com").build();

        assertThat(matcher(directory).match(mail)).extracting(MailAddress::asString).containsExactly(
            "staff-request@example.com", "STAFF-Subscribe@example.com", "staff-unsubscribe@example.com",
            "staff-bounces@example.com");
    }

    @Test
    void anUnavailableDirectorySendsCommandShapedAddressesToTheListManager() throws Exception {
        Directory directory = new Directory();
        directory.unavailable = true;
        FakeMail mail = FakeMail.builder().name("m").recipients("staff-request@example.com", "alice@example.com")
            .build();

        assertThat(matcher(directory).match(mail)).extracting(MailAddress::asString)
            .containsExactly("staff-request@example.com");
    }

    @Test
    void takesNoCondition() {
        assertThatThrownBy(() -> new ListCommandAddress(new Directory()).init(FakeMatcherConfig.builder()
            .matcherName("ListCommandAddress").condition("x").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("takes no condition");
    }
}
