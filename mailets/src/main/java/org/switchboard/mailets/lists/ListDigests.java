package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

/**
 * Digest delivery (spec: Distribution List Manager, delivery modes). A post for a list with members in digest mode
 * is kept in the list's {@code Digest} mailbox ({@link ListMailboxes}: on disk before the post is acknowledged, so
 * it survives a crash and a restart); the digest of every kept post ({@link DigestBuilder}) goes to the digest
 * members when the list's schedule ({@code ieListDigestInterval}, {@link DigestSchedule}) has come since the oldest
 * kept post, when {@code ieListDigestMaxMessages} posts are kept, or when an administrator asks
 * ({@code james-cli SendListDigest}). It enters the pipeline at {@value #PROCESSOR} with input channel DL, as posts
 * do; then, and only then, its posts are removed: none is lost, and each is in exactly one digest unless the server
 * dies in the moment between the two steps (then the next digest repeats them rather than lose them).
 * Members whose delivery bounce processing disabled ({@link ListBounces}) get no digest. One list's digest is built
 * by one thread at a time.
 */
@Singleton
public class ListDigests {
    static final String PROCESSOR = "preprocess";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListDigests.class);

    private final ListMailboxes mailboxes;
    private final MailetContext context;
    private final BounceRecords bounceRecords;
    private final Clock clock;
    private final Map<MailAddress, Object> locks = new ConcurrentHashMap<>();

    @Inject
    public ListDigests(MailboxManager mailboxManager, MailetContext context, BounceRecords bounceRecords) {
        this(mailboxManager, context, bounceRecords, Clock.systemDefaultZone());
    }

    /**
     * {@code bounceRecords}: whose delivery bounce processing disabled (they get no digest); {@code clock}: what "now"
     * is, for the schedule and the date a post is kept.
     */
    public ListDigests(MailboxManager mailboxManager, MailetContext context, BounceRecords bounceRecords,
                       Clock clock) {
        this.mailboxes = new ListMailboxes(mailboxManager);
        this.context = context;
        this.bounceRecords = bounceRecords;
        this.clock = clock;
    }

    /**
     * Keeps the post (with its list header fields) for the next digest; sends the digest when it is full. A full
     * digest that cannot be sent now stays kept (ERROR logged): the next check of the schedule sends it.
     */
    public void keep(DistributionList list, MimeMessage post) throws MessagingException {
        synchronized (lock(list)) {
            long kept = mailboxes.append(list, ListMailboxes.DIGEST, post, Date.from(clock.instant()));
            if (full(list, kept)) {
                LOGGER.info("Lists: {} posts kept for the digest of {}, its maximum", kept, list.address().asString());
                try {
                    send(list);
                } catch (MessagingException | RuntimeException e) {
                    LOGGER.error("Lists: the full digest of {} could not be sent; it is sent at the next check",
                        list.address().asString(), e);
                }
            }
        }
    }

    /**
     * Sends the digest when it is full or when the schedule came since the oldest kept post; returns the number of
     * posts sent.
     */
    public int sendIfDue(DistributionList list) throws MessagingException {
        synchronized (lock(list)) {
            List<ListMailboxes.Stored> kept = mailboxes.read(list, ListMailboxes.DIGEST, false);
            if (kept.isEmpty()) {
                return 0;
            }
            ZonedDateTime lastDue = list.digest().schedule().lastDue(ZonedDateTime.now(clock));
            if (!full(list, kept.size()) && !kept.get(0).stored().toInstant().isBefore(lastDue.toInstant())) {
                return 0;
            }
            return send(list, kept);
        }
    }

    private static boolean full(DistributionList list, long kept) {
        return list.digest().maxMessages().map(max -> kept >= max).orElse(false);
    }

    /** Sends the digest of every kept post now; returns the number of posts in it (0: no digest sent). */
    public int send(DistributionList list) throws MessagingException {
        synchronized (lock(list)) {
            return send(list, mailboxes.read(list, ListMailboxes.DIGEST, false));
        }
    }

    private int send(DistributionList list, List<ListMailboxes.Stored> kept) throws MessagingException {
        if (kept.isEmpty()) {
            return 0;
        }
        List<MailAddress> readers = readers(list);
        if (readers.isEmpty()) {
            LOGGER.info("Lists: {} has no digest members whose delivery is enabled; {} kept post(s) dropped",
                list.address().asString(), kept.size());
        } else {
            MimeMessage digest = DigestBuilder.build(list, kept.stream().map(ListMailboxes.Stored::content).toList(),
                ZonedDateTime.now(clock));
            MailImpl mail = MailImpl.builder()
                .name(MailImpl.getId())
                .sender(list.commandAddress(DistributionList.BOUNCES))
                .addRecipients(readers)
                .mimeMessage(digest)
                .build();
            try {
                InputChannel.set(mail, Channel.DL);
                context.sendMail(mail, PROCESSOR);
            } finally {
                LifecycleUtil.dispose(mail);
            }
            LOGGER.info("Lists: digest of {} with {} post(s) sent to {} member(s) as mail {}",
                list.address().asString(), kept.size(), readers.size(), mail.getName());
        }
        mailboxes.delete(list, ListMailboxes.DIGEST, kept.stream().map(ListMailboxes.Stored::uid).toList());
        return kept.size();
    }

    /** The digest members, but those whose delivery bounce processing disabled. */
    private List<MailAddress> readers(DistributionList list) throws MessagingException {
        BounceState bounces;
        try {
            bounces = bounceRecords.state(list);
        } catch (DirectoryUnavailableException e) {
            // the posts stay kept: sent at the next check, once the directory answers again
            throw new MessagingException("The bounce records of " + list.address().asString()
                + " could not be read: " + e.getMessage(), e);
        }
        return list.members(DeliveryMode.DIGEST).stream().filter(member -> !bounces.isDisabled(member)).toList();
    }

    private Object lock(DistributionList list) {
        return locks.computeIfAbsent(list.address(), address -> new Object());
    }
}
