package org.switchboard.server.mailbox.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.mail.Flags;
import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.manager.ManagerTestProvisionner;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Flux;

/**
 * What the server relies on beyond James' contract: a delivered message is found by the next search with no wait,
 * flags and expunges are reflected, and a crash (the index never closed, its last changes never committed) is
 * repaired at the next search by comparing with the store, while a clean stop needs no comparison.
 */
class IndexedMessageSearchTest {
    /** Commits so rare that nothing this test writes is committed before the "crash". */
    private static final IndexSettings NO_COMMIT_BEFORE_CRASH = new IndexSettings(Duration.ofHours(1), 1_000_000,
        Duration.ofSeconds(20), Duration.ofHours(1), true);

    @TempDir
    Path directory;

    @Test
    void aDeliveredMessageIsFoundByTheNextSearch() throws Exception {
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            Inbox inbox = new Inbox(system);
            for (int i = 0; i < 200; i++) {
                MessageUid uid = inbox.append("sender" + i + "@example.org", "subject number" + i, "body word" + i);
                assertThat(inbox.search(SearchQuery.headerContains("Subject", "number" + i))).containsExactly(uid);
            }
            assertThat(inbox.search(SearchQuery.bodyContains("word137"))).hasSize(1);
            assertThat(inbox.search(SearchQuery.address(SearchQuery.AddressType.From, "sender42@example.org"))).hasSize(1);
        }
    }

    @Test
    void anAddressWithADisplayNameIsFound() throws Exception {
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            Inbox inbox = new Inbox(system);
            MessageUid named = inbox.append("Ann Lee <ann.lee@example.org>", "named", "one");
            MessageUid bare = inbox.append("ann.lee@example.org", "bare", "two");
            inbox.append("Bob <bob@example.org>", "other", "three");
            assertThat(inbox.search(SearchQuery.address(SearchQuery.AddressType.From, "ann.lee@example.org")))
                .containsExactly(named, bare);
            assertThat(inbox.search(SearchQuery.address(SearchQuery.AddressType.From, "ann.lee"))).containsExactly(named, bare);
            assertThat(inbox.search(SearchQuery.address(SearchQuery.AddressType.From, "Ann Lee"))).containsExactly(named);
            assertThat(inbox.search(SearchQuery.not(SearchQuery.address(SearchQuery.AddressType.From, "ann.lee@example.org"))))
                .hasSize(1);
        }
    }

    @Test
    void aPhraseFindsOnlyTheMessagesThatHaveItNotThoseWithItsWordsApart() throws Exception {
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            Inbox inbox = new Inbox(system);
            MessageUid budget = inbox.append("Ann Lee <ann@example.org>", "the quarterly budget review is due", "see the attached sheet today");
            inbox.append("c@example.org", "filler", "nothing");
            MessageUid apart = inbox.append("Lee Ann <lee@example.org>", "budget review quarterly", "the sheet attached see");
            inbox.append("d@example.org", "filler", "nothing");
            MessageUid shakespeare = inbox.append("e@example.org", "Re: Sonnets By William Shakespeare", "a sonnet");
            assertThat(inbox.search(SearchQuery.headerContains("Subject", "William Shakespeare"))).containsExactly(shakespeare);
            // IMAP's SUBJECT
            assertThat(inbox.search(SearchQuery.subject("Sonnets By William"))).containsExactly(shakespeare);
            assertThat(inbox.search(SearchQuery.subject("quarterly budget review"))).containsExactly(budget);
            assertThat(inbox.search(SearchQuery.headerContains("Subject", "quarterly budget review"))).containsExactly(budget);
            assertThat(inbox.search(SearchQuery.headerContains("Subject", "budget review"))).containsExactly(budget, apart);
            assertThat(inbox.search(SearchQuery.bodyContains("see the attached sheet"))).containsExactly(budget);
            assertThat(inbox.search(SearchQuery.bodyContains("attached sheet"))).containsExactly(budget);
            assertThat(inbox.search(SearchQuery.mailContains("the attached sheet today"))).containsExactly(budget);
            assertThat(inbox.search(SearchQuery.address(SearchQuery.AddressType.From, "Lee Ann"))).containsExactly(apart);
            // a phrase under a negation: its complement, exactly
            assertThat(inbox.search(SearchQuery.not(SearchQuery.bodyContains("attached sheet")))).doesNotContain(budget).contains(apart);
            assertThat(inbox.search(SearchQuery.or(SearchQuery.bodyContains("sheet attached"), SearchQuery.headerContains("Subject", "is due"))))
                .containsExactly(budget, apart);
        }
    }

    @Test
    void anIndexOfAnEarlierFormatIsRebuiltFromTheStore() throws Exception {
        MessageUid uid;
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            uid = new Inbox(system).append("x@example.org", "built before the upgrade", "lambda");
        }
        // an index written before the format file existed, by a version that indexed pairs of words
        Files.delete(indexDirectory().resolve(IndexFormat.FILE_NAME));

        try (IndexedRocksDbSystem upgraded = open(IndexSettings.DEFAULT)) {
            assertThat(indexDirectory().resolve(IndexFormat.FILE_NAME)).hasContent(IndexFormat.CURRENT);
            assertThat(new Inbox(upgraded).search(SearchQuery.bodyContains("lambda"))).containsExactly(uid);
            assertThat(upgraded.index.indexedMessages()).isEqualTo(1);
        }
    }

    @Test
    void flagsAndExpungeAreReflected() throws Exception {
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            Inbox inbox = new Inbox(system);
            MessageUid first = inbox.append("a@example.org", "first", "one");
            MessageUid second = inbox.append("b@example.org", "second", "two");
            inbox.manager.setFlags(new Flags(Flags.Flag.FLAGGED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(second), inbox.session);
            assertThat(inbox.search(SearchQuery.flagIsSet(Flags.Flag.FLAGGED))).containsExactly(second);
            assertThat(inbox.search(SearchQuery.flagIsUnSet(Flags.Flag.FLAGGED))).containsExactly(first);

            inbox.manager.setFlags(new Flags(Flags.Flag.DELETED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(first), inbox.session);
            assertThat(inbox.search(SearchQuery.flagIsSet(Flags.Flag.DELETED))).containsExactly(first);
            inbox.manager.expunge(MessageRange.all(), inbox.session);
            assertThat(inbox.search(SearchQuery.all())).containsExactly(second);
            assertThat(inbox.search(SearchQuery.headerContains("Subject", "first"))).isEmpty();
        }
    }

    @Test
    void aCrashIsRepairedByComparingWithTheStoreBeforeTheFirstSearch() throws Exception {
        MessageUid kept;
        MessageUid flagged;
        IndexedRocksDbSystem crashed = open(NO_COMMIT_BEFORE_CRASH);
        {
            Inbox inbox = new Inbox(crashed);
            kept = inbox.append("kept@example.org", "kept before the crash", "alpha");
            flagged = inbox.append("flagged@example.org", "flagged before the crash", "beta");
            MessageUid expunged = inbox.append("gone@example.org", "expunged before the crash", "gamma");
            inbox.manager.setFlags(new Flags(Flags.Flag.FLAGGED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(flagged), inbox.session);
            inbox.manager.setFlags(new Flags(Flags.Flag.DELETED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(expunged), inbox.session);
            inbox.manager.expunge(MessageRange.all(), inbox.session);
            assertThat(inbox.search(SearchQuery.all())).containsExactly(kept, flagged);
        }
        // kill -9: the index loses what it did not commit and is never closed; the store's writes were synced
        crashed.index.abandonLikeACrash();
        crashed.store.close();
        assertThat(indexDirectory().resolve(CleanStopMark.FILE_NAME)).doesNotExist();

        try (IndexedRocksDbSystem restarted = open(NO_COMMIT_BEFORE_CRASH)) {
            Inbox inbox = new Inbox(restarted);
            assertThat(inbox.search(SearchQuery.headerContains("Subject", "crash"))).containsExactly(kept, flagged);
            assertThat(inbox.search(SearchQuery.flagIsSet(Flags.Flag.FLAGGED))).containsExactly(flagged);
            assertThat(inbox.search(SearchQuery.bodyContains("gamma"))).isEmpty();
            assertThat(restarted.index.indexedMessages()).isEqualTo(2);
        }
    }

    @Test
    void aCleanStopNeedsNoComparisonAtTheNextStart() throws Exception {
        MessageUid uid;
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT)) {
            uid = new Inbox(system).append("x@example.org", "kept across a clean stop", "delta");
        }
        assertThat(indexDirectory().resolve(CleanStopMark.FILE_NAME)).exists();

        try (IndexedRocksDbSystem restarted = open(IndexSettings.DEFAULT)) {
            assertThat(indexDirectory().resolve(CleanStopMark.FILE_NAME)).doesNotExist();
            assertThat(new Inbox(restarted).search(SearchQuery.bodyContains("delta"))).containsExactly(uid);
            assertThat(restarted.index.indexedMessages()).isZero();
        }
    }

    @Test
    void onFirstSearchAMailboxIsIndexedWhenFirstSearchedThenAsMailArrives() throws Exception {
        IndexSettings onFirstSearch = IndexSettings.DEFAULT.withIndexOnDelivery(false);
        MessageUid late;
        try (IndexedRocksDbSystem system = open(onFirstSearch)) {
            Inbox inbox = new Inbox(system);
            for (int i = 0; i < 30; i++) {
                inbox.append("sender" + i + "@example.org", "unsearched " + i, "epsilon" + i);
            }
            // nobody searched yet: delivery cost no indexing
            assertThat(inbox.search(SearchQuery.flagIsSet(Flags.Flag.ANSWERED))).isEmpty();
            assertThat(system.index.indexedMessages()).isEqualTo(30);
            assertThat(inbox.search(SearchQuery.bodyContains("epsilon17"))).hasSize(1);

            late = inbox.append("late@example.org", "after the first search", "zeta");
            assertThat(inbox.search(SearchQuery.bodyContains("zeta"))).containsExactly(late);
            assertThat(system.index.indexedMessages()).isEqualTo(31);
        }
        // the mark survives a stop: the next start indexes new mail as it comes, without indexing the mailbox again
        try (IndexedRocksDbSystem restarted = open(onFirstSearch)) {
            Inbox inbox = new Inbox(restarted);
            MessageUid after = inbox.append("next@example.org", "after the restart", "kappa");
            assertThat(inbox.search(SearchQuery.bodyContains("kappa"))).containsExactly(after);
            assertThat(inbox.search(SearchQuery.bodyContains("zeta"))).containsExactly(late);
            assertThat(restarted.index.indexedMessages()).isEqualTo(1);
        }
    }

    @Test
    void onFirstSearchAnUnsearchedMailboxIsNotIndexed() throws Exception {
        try (IndexedRocksDbSystem system = open(IndexSettings.DEFAULT.withIndexOnDelivery(false))) {
            Inbox inbox = new Inbox(system);
            inbox.append("a@example.org", "never searched", "theta");
            inbox.append("b@example.org", "never searched either", "iota");
            // SELECT's listing is not a search of the index
            assertThat(inbox.search(SearchQuery.all())).hasSize(2);
            assertThat(system.index.indexedMessages()).isZero();
        }
    }

    private IndexedRocksDbSystem open(IndexSettings settings) throws Exception {
        return new IndexedRocksDbSystem(directory.resolve("mailbox"), indexDirectory(), settings);
    }

    private Path indexDirectory() {
        return directory.resolve("search-index");
    }

    private static final class Inbox {
        final MailboxSession session;
        final MessageManager manager;

        Inbox(IndexedRocksDbSystem system) throws Exception {
            session = system.mailboxManager.createSystemSession(ManagerTestProvisionner.USER);
            MailboxPath inbox = MailboxPath.inbox(session);
            if (!system.mailboxManager.mailboxExists(inbox, session).block()) {
                system.mailboxManager.createMailbox(inbox, session);
            }
            manager = system.mailboxManager.getMailbox(inbox, session);
        }

        MessageUid append(String from, String subject, String body) throws Exception {
            String message = "From: " + from + "\r\nTo: user@example.com\r\nSubject: " + subject + "\r\n\r\n" + body + "\r\n";
            return manager.appendMessage(MessageManager.AppendCommand.from(
                    new SharedByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII))), session)
                .getId().getUid();
        }

        List<MessageUid> search(SearchQuery.Criterion criterion) throws Exception {
            return Flux.from(manager.search(SearchQuery.of(criterion), session)).collectList().block();
        }
    }
}
