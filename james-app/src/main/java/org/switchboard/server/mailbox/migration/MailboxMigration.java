package org.switchboard.server.mailbox.migration;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;
import org.switchboard.mailbox.store.RocksDbCurrentQuotaManager;
import org.switchboard.mailbox.store.RocksDbMailboxImport;
import org.switchboard.mailbox.store.RocksDbMailboxSessionMapperFactory;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.server.mailbox.migration.MigrationState.Phase;

/**
 * Moves every mailbox of the JPA store into the RocksDB store, server stopped: copy ({@link MailboxCopy}),
 * subscriptions, verification of both stores against each other (counts, UIDVALIDITY, counters, annotations,
 * subscriptions, a {@link MailboxDigest} per mailbox), quota usage recomputed, and only then the switch of
 * {@code conf/mailbox.properties} to RocksDB. The JPA store is only read.
 *
 * <p>Restartable: {@link MigrationState} marks the RocksDB store as a copy under way, so a run after a crash (or
 * after a failed verification) completes that copy, and nothing but the migration changes it meanwhile (the server
 * refuses to start on it). It refuses a RocksDB store that holds mailboxes of its own: those are never touched.
 */
final class MailboxMigration {
    private final JpaMailboxSource source;
    private final RocksDbMailboxSessionMapperFactory target;
    private final RocksDbMailboxStore store;
    private final MailboxSession session;
    private final Path stateFile;
    private final Path confDirectory;
    private final PrintStream out;
    private final Clock clock;

    MailboxMigration(JpaMailboxSource source, RocksDbMailboxStore store, MailboxSession session, Path stateFile,
                     Path confDirectory, PrintStream out, Clock clock) {
        this.source = source;
        this.store = store;
        this.target = new RocksDbMailboxSessionMapperFactory(store, clock);
        this.session = session;
        this.stateFile = stateFile;
        this.confDirectory = confDirectory;
        this.out = out;
        this.clock = clock;
    }

    /** Returns the exit status: 0 migrated (or migrated before), 1 not migrated (the reason is printed). */
    int run() throws Exception {
        Instant started = clock.instant();
        // the JPA store is read first: a database in use by a running server fails here, before anything is written
        List<Mailbox> mailboxes = source.mailboxes(session);
        Optional<MigrationState> state = MigrationState.read(stateFile);
        if (state.isPresent() && state.get().phase() == Phase.DONE) {
            out.println("The mailboxes were migrated to the RocksDB store before (" + stateFile + ", finished "
                + state.get().details().getOrDefault("finished", "?") + "); the RocksDB store has been in use since. Nothing done.");
            switchConfiguration();
            return 0;
        }
        MigrationState copying;
        if (state.isEmpty()) {
            long ownMailboxes = target.createMailboxMapper(session).list().count().block();
            if (ownMailboxes > 0) {
                out.println("Not migrated: the RocksDB store (var/store/mailbox) already holds " + ownMailboxes
                    + " mailboxes that no migration wrote. Migrate into an empty store: stop the server, move "
                    + "var/store/mailbox aside, run this command again.");
                return 1;
            }
            copying = MigrationState.copying(started);
            copying.write(stateFile);
        } else {
            copying = state.get();
            out.println("Resuming the migration started " + copying.details().getOrDefault("started", "?"));
        }

        Set<Username> users = new TreeSet<>((a, b) -> a.asString().compareTo(b.asString()));
        mailboxes.forEach(mailbox -> users.add(mailbox.getUser()));
        out.println("JPA store: " + mailboxes.size() + " mailboxes of " + users.size() + " users");

        MailboxCopy copy = new MailboxCopy(source.mappers(), target, new RocksDbMailboxImport(store, clock), session);
        Map<MailboxPath, Mailbox> copies = new LinkedHashMap<>();
        long copied = 0;
        long alreadyThere = 0;
        for (Mailbox mailbox : mailboxes) {
            MailboxCopy.Result result = copy.copy(mailbox);
            copies.put(mailbox.generateAssociatedPath(), result.target());
            copied += result.copied();
            alreadyThere += result.alreadyThere();
            out.println("  " + mailbox.generateAssociatedPath().asString() + ": " + result.copied() + " messages copied"
                + (result.alreadyThere() > 0 ? ", " + result.alreadyThere() + " copied before" : "")
                + (result.removed() > 0 ? ", " + result.removed() + " earlier copies replaced or removed" : ""));
        }
        removeMailboxesNoLongerInSource(copies);
        users.addAll(source.subscribers());
        long subscriptions = copySubscriptions(users);

        List<String> problems = new ArrayList<>();
        Map<MailboxPath, MailboxDigest> digests = verify(mailboxes, copies, users, problems);
        if (!problems.isEmpty()) {
            out.println("Verification failed; conf/mailbox.properties is unchanged and the JPA store is untouched:");
            problems.forEach(problem -> out.println("  " + problem));
            out.println("Run the command again to complete the copy (it is resumed, not restarted).");
            return 1;
        }
        long messages = digests.values().stream().mapToLong(MailboxDigest::messages).sum();
        long octets = digests.values().stream().mapToLong(MailboxDigest::octets).sum();
        out.println("Verified: " + copies.size() + " mailboxes, " + messages + " messages (" + octets + " octets): "
            + "UIDVALIDITY, UIDs, MODSEQs, flags, internal dates and octets identical in both stores "
            + "(SHA-256 per mailbox), last UIDs, highest MODSEQs, annotations and subscriptions too");
        int quotaRoots = recomputeQuotaUsage(copies, digests);
        out.println("Quota usage recomputed for " + quotaRoots + " quota roots (limits are kept in the SQL database, "
            + "shared by both stores)");

        Map<String, String> counts = new LinkedHashMap<>();
        counts.put("users", Integer.toString(users.size()));
        counts.put("mailboxes", Integer.toString(copies.size()));
        counts.put("messages", Long.toString(messages));
        counts.put("octets", Long.toString(octets));
        counts.put("subscriptions", Long.toString(subscriptions));
        copying.done(clock.instant(), counts).write(stateFile);
        switchConfiguration();
        out.println("Migrated: " + users.size() + " users, " + copies.size() + " mailboxes, " + messages + " messages ("
            + copied + " copied by this run, " + alreadyThere + " by an earlier one), " + subscriptions
            + " subscriptions, in " + Duration.between(started, clock.instant()).toSeconds() + " s");
        out.println("The JPA store is left as it was: delete its mailboxes once the server runs well on RocksDB.");
        return 0;
    }

    private void switchConfiguration() throws Exception {
        if (MailboxStoreSetting.useRocksDb(confDirectory)) {
            out.println("conf/mailbox.properties: mailbox.store=rocksdb");
        } else {
            out.println("conf/mailbox.properties chooses the RocksDB store already");
        }
    }

    /** Mailboxes an interrupted run copied that the source has deleted since. */
    private void removeMailboxesNoLongerInSource(Map<MailboxPath, Mailbox> copies) {
        for (Mailbox mailbox : target.createMailboxMapper(session).list().collectList().block()) {
            if (!copies.containsKey(mailbox.generateAssociatedPath())) {
                target.createMailboxMapper(session).delete(mailbox).block();
                out.println("  " + mailbox.generateAssociatedPath().asString() + ": removed (no longer in the JPA store)");
            }
        }
    }

    private long copySubscriptions(Set<Username> users) throws Exception {
        SubscriptionMapper subscriptions = target.createSubscriptionMapper(session);
        long count = 0;
        for (Username user : users) {
            Set<Subscription> wanted = new HashSet<>(source.subscriptions(session, user));
            for (Subscription existing : subscriptions.findSubscriptionsForUser(user)) {
                if (!wanted.remove(existing)) {
                    subscriptions.delete(existing);
                } else {
                    count++;
                }
            }
            for (Subscription subscription : wanted) {
                subscriptions.save(subscription);
                count++;
            }
        }
        return count;
    }

    private Map<MailboxPath, MailboxDigest> verify(List<Mailbox> mailboxes, Map<MailboxPath, Mailbox> copies,
                                                   Set<Username> users, List<String> problems) throws Exception {
        long targetMailboxes = target.createMailboxMapper(session).list().count().block();
        if (targetMailboxes != mailboxes.size()) {
            problems.add("the JPA store has " + mailboxes.size() + " mailboxes, the RocksDB store " + targetMailboxes);
        }
        Map<MailboxPath, MailboxDigest> digests = new HashMap<>();
        for (Mailbox mailbox : mailboxes) {
            MailboxPath path = mailbox.generateAssociatedPath();
            Optional<Mailbox> copy = target.createMailboxMapper(session).findMailboxByPath(path).blockOptional();
            if (copy.isEmpty()) {
                problems.add(path.asString() + ": not in the RocksDB store");
                continue;
            }
            if (!copy.get().getUidValidity().equals(mailbox.getUidValidity())) {
                problems.add(path.asString() + ": UIDVALIDITY " + mailbox.getUidValidity().asLong() + " became "
                    + copy.get().getUidValidity().asLong());
            }
            MailboxDigest expected = MailboxDigest.of(source.mappers(), session, mailbox);
            MailboxDigest actual = MailboxDigest.of(target, session, copy.get());
            if (!expected.equals(actual)) {
                problems.add(path.asString() + ": JPA " + expected + ", RocksDB " + actual);
            }
            digests.put(path, actual);
            compareCounters(mailbox, copy.get(), problems);
            compareAnnotations(mailbox, copy.get(), problems);
        }
        SubscriptionMapper targetSubscriptions = target.createSubscriptionMapper(session);
        for (Username user : users) {
            Set<Subscription> expected = new HashSet<>(source.subscriptions(session, user));
            Set<Subscription> actual = new HashSet<>(targetSubscriptions.findSubscriptionsForUser(user));
            if (!expected.equals(actual)) {
                problems.add(user.asString() + ": subscriptions " + expected + " in JPA, " + actual + " in RocksDB");
            }
        }
        return digests;
    }

    private void compareCounters(Mailbox mailbox, Mailbox copy, List<String> problems) throws Exception {
        MessageMapper sourceMessages = source.mappers().createMessageMapper(session);
        try {
            MessageMapper targetMessages = target.createMessageMapper(session);
            if (!sourceMessages.getLastUid(mailbox).equals(targetMessages.getLastUid(copy))
                || !sourceMessages.getHighestModSeq(mailbox).equals(targetMessages.getHighestModSeq(copy))) {
                problems.add(mailbox.generateAssociatedPath().asString() + ": last UID/highest MODSEQ "
                    + sourceMessages.getLastUid(mailbox) + "/" + sourceMessages.getHighestModSeq(mailbox) + " in JPA, "
                    + targetMessages.getLastUid(copy) + "/" + targetMessages.getHighestModSeq(copy) + " in RocksDB");
            }
        } finally {
            sourceMessages.endRequest();
        }
    }

    private void compareAnnotations(Mailbox mailbox, Mailbox copy, List<String> problems) {
        AnnotationMapper sourceAnnotations = source.mappers().createAnnotationMapper(session);
        try {
            Set<MailboxAnnotation> expected = new HashSet<>(sourceAnnotations.getAllAnnotations(mailbox.getMailboxId()));
            Set<MailboxAnnotation> actual = new HashSet<>(target.createAnnotationMapper(session).getAllAnnotations(copy.getMailboxId()));
            if (!expected.equals(actual)) {
                problems.add(mailbox.generateAssociatedPath().asString() + ": annotations " + expected + " in JPA, "
                    + actual + " in RocksDB");
            }
        } finally {
            sourceAnnotations.endRequest();
        }
    }

    /**
     * Current usage of every quota root, from the verified copies: James' quota roots of the mailboxes (one per user),
     * each mailbox's message count and octets.
     */
    private int recomputeQuotaUsage(Map<MailboxPath, Mailbox> copies, Map<MailboxPath, MailboxDigest> digests) {
        // only path-based resolution is used, which needs neither sessions nor mappers
        DefaultUserQuotaRootResolver quotaRoots = new DefaultUserQuotaRootResolver(null, target);
        Map<QuotaRoot, long[]> usage = new LinkedHashMap<>();
        copies.forEach((path, copy) -> {
            long[] rootUsage = usage.computeIfAbsent(quotaRoots.getQuotaRoot(path), root -> new long[2]);
            rootUsage[0] += digests.get(path).messages();
            rootUsage[1] += digests.get(path).octets();
        });
        RocksDbCurrentQuotaManager currentQuotas = new RocksDbCurrentQuotaManager(store);
        usage.forEach((root, counts) -> currentQuotas.setCurrentQuotas(
            new QuotaOperation(root, QuotaCountUsage.count(counts[0]), QuotaSizeUsage.size(counts[1]))).block());
        return usage.size();
    }
}
