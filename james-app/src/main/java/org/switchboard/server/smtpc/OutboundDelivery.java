package org.switchboard.server.smtpc;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

import javax.mail.MessagingException;
import javax.mail.Session;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.mailets.smtpc.SmtpcAttributes;

import reactor.core.publisher.BaseSubscriber;

/**
 * The SMTPC master queue manager: takes the mails the queue router put on SMTPC's queue, keeps them in per-domain
 * channels ({@link DomainChannel}) and delivers them over SMTP ({@link SmtpPeerSession}), several per connection.
 *
 * <p>A mail stays unacknowledged on the spool queue while SMTPC holds it, so a crash hands it out again. Every
 * outcome ends its queue entry: delivered; failed for good (a DSN to the sender through the {@code bounces}
 * processor, one log line); failed for now (its history, attempts, last reply and next attempt, is written with it
 * by queueing it again, and it waits in its channel's deferred queue; past the profile's expiry it fails for good;
 * a sender who asked NOTIFY=DELAY gets one "delayed" notice through the {@code smtpc-delay} processor). A recipient
 * that asked NOTIFY=SUCCESS and was taken by a peer that does not announce DSN is reported "relayed" through the
 * {@code smtpc-relayed} processor (RFC 3461 section 6.2.2); a peer that announces DSN gets the request instead.
 */
public class OutboundDelivery implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(OutboundDelivery.class);
    /** Where James' RemoteDelivery, DSNBounce and the DSN mailet read the peer's reply. */
    static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    static final String BOUNCE_PROCESSOR = "bounces";
    static final String DELAY_PROCESSOR = "smtpc-delay";
    static final String RELAYED_PROCESSOR = "smtpc-relayed";
    /** Mails held in memory (handed out by the queue, not acknowledged) at most. */
    private static final int IN_MEMORY = 10_000;
    private static final long TICK_MILLIS = 500;

    private final SmtpcSettings settings;
    private final MailQueue queue;
    private final MailetContext mailetContext;
    private final MailRouting routing;
    private final Clock clock;
    private final Session mailSession;
    private final Map<String, DomainChannel> channels = new ConcurrentHashMap<>();
    private final ExecutorService sessions = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "smtpc-session");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "smtpc-queue-runs");
        thread.setDaemon(true);
        return thread;
    });
    private final QueueConsumer consumer = new QueueConsumer();

    OutboundDelivery(SmtpcSettings settings, MailQueue queue, MailetContext mailetContext, MailRouting routing, Clock clock) {
        this.settings = settings;
        this.queue = queue;
        this.mailetContext = mailetContext;
        this.routing = routing;
        this.clock = clock;
        this.mailSession = SmtpPeerSession.mailSession(settings.heloName(), settings.connectTimeout().toMillis(),
            settings.replyTimeout().toMillis(), settings.startTls());
    }

    void start() {
        queue.deQueue().subscribe(consumer);
        scheduler.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOGGER.info("SMTPC started: queue {}, routing {}{}", settings.queue(), settings.routing(),
            settings.primaryRelay().map(relay -> ", relay " + relay
                + settings.secondaryRelay().map(secondary -> " (secondary " + secondary + ")").orElse("")).orElse(""));
    }

    @Override
    public void close() {
        consumer.dispose();
        scheduler.shutdownNow();
        sessions.shutdownNow();
    }

    /** Reads each mail handed out by SMTPC's queue, a bounded number at a time. */
    private final class QueueConsumer extends BaseSubscriber<MailQueueItem> {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(IN_MEMORY);
        }

        @Override
        protected void hookOnNext(MailQueueItem item) {
            dispatch(item);
        }

        @Override
        protected void hookOnError(Throwable failure) {
            LOGGER.error("SMTPC: reading queue {} failed; outbound delivery stopped until restart", settings.queue(), failure);
        }
    }

    private void dispatch(MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            String domain = mail.getAttribute(SmtpcAttributes.DOMAIN)
                .flatMap(attribute -> attribute.getValue().valueAs(String.class))
                .orElseGet(() -> mail.getRecipients().iterator().next().getDomain().asString().toLowerCase(Locale.ROOT));
            QueuedEntry entry = new QueuedEntry(item, PriorityWeight.precedenceOf(mail), mail.getMessageSize());
            DomainChannel channel = channel(domain);
            if (channel.profile().hold()) {
                channel.addHeld(entry);
                LOGGER.info("SMTPC: mail {} to {} held until ETRN or a flush", mail.getName(), mail.getRecipients());
            } else if (entry.nextAttempt() > clock.millis()) {
                channel.addDeferred(entry);
            } else {
                channel.addPending(entry);
                startSessions(channel);
            }
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("SMTPC: cannot read queued mail {} ({}); it stays on queue {} and is retried later",
                mail.getName(), e.getMessage(), settings.queue());
            finish(item, MailQueueItem.CompletionStatus.REJECT);
        }
    }

    private DomainChannel channel(String domain) {
        return channels.computeIfAbsent(domain, name -> new DomainChannel(name, settings.profile(name)));
    }

    private ToLongFunction<QueuedEntry> weightNow() {
        long now = clock.millis();
        return entry -> entry.weight(now, settings.precedenceMultiplier(), settings.sizeMultiplier()).value();
    }

    private void startSessions(DomainChannel channel) {
        while (channel.startSessionForPending()) {
            sessions.execute(() -> session(channel, List.of()));
        }
    }

    /** Queue runs that are due, expired mail, the primary relay's check. */
    private void tick() {
        try {
            long now = clock.millis();
            for (DomainChannel channel : channels.values()) {
                for (QueuedEntry expired : channel.removeWaiting(entry -> expired(entry, channel, now))) {
                    expire(expired, channel);
                }
                List<QueuedEntry> run = channel.startRun(now, weightNow());
                if (!run.isEmpty()) {
                    LOGGER.debug("SMTPC: queue run of {}: {} mails, gate {}", channel.domain(), run.size(), run.get(0).name());
                    sessions.execute(() -> session(channel, run));
                }
            }
            routing.relays().flatMap(RelayHosts::primaryToCheck).ifPresent(this::probe);
            routing.relays().flatMap(RelayHosts::etrnPollDue).ifPresent(relay -> sessions.execute(() -> pollByEtrn(relay)));
        } catch (RuntimeException e) {
            LOGGER.error("SMTPC: queue run check failed", e);
        }
    }

    private void probe(Hop primary) {
        try (SmtpPeerSession probe = connect(primary)) {
            routing.relays().ifPresent(relays -> relays.connected(primary));
            askForHeldMail(probe);
        } catch (MessagingException e) {
            LOGGER.info("SMTPC: primary relay {} still unavailable: {}", primary, SmtpPeerSession.describe(e));
        }
    }

    /** Dial-up style: a session with the relay only to ask it for the mail it holds for us. */
    private void pollByEtrn(Hop relay) {
        try (SmtpPeerSession poll = connect(relay)) {
            askForHeldMail(poll);
        } catch (MessagingException e) {
            LOGGER.info("SMTPC: cannot poll relay {} with ETRN: {}", relay, SmtpPeerSession.describe(e));
        }
    }

    /** On a session with a relay configured for it: ETRN for each of our names (a refusal only is logged). */
    private void askForHeldMail(SmtpPeerSession session) {
        routing.relays().filter(relays -> relays.isRelay(session.hop())).ifPresent(relays -> {
            for (String name : relays.etrnNames()) {
                try {
                    LOGGER.info("SMTPC: ETRN {} at relay {}: {}", name, session.hop(), session.etrn(name));
                } catch (MessagingException e) {
                    LOGGER.warn("SMTPC: ETRN {} at relay {} failed: {}", name, session.hop(), SmtpPeerSession.describe(e));
                }
            }
        });
    }

    /**
     * One SMTP session for a channel: a queue run's mails (the gate first, alone) or, for an empty run, the pending
     * mails by weight, up to {@code maxMessagesPerSession} per connection. An open connection waits up to the
     * profile's {@code sessionIdleTime} for the domain's next mail (as Postfix's connection cache does): mail arriving
     * a few at a time then goes out without a new connection and greeting for each.
     */
    private void session(DomainChannel channel, List<QueuedEntry> run) {
        boolean gated = !run.isEmpty();
        List<QueuedEntry> rest = gated ? new ArrayList<>(run.subList(1, run.size())) : new ArrayList<>();
        SmtpPeerSession connection = null;
        QueuedEntry current = null;
        try {
            Optional<QueuedEntry> next = gated ? Optional.of(run.get(0)) : channel.takePending(weightNow());
            while (next.isPresent()) {
                QueuedEntry entry = next.get();
                current = entry;
                if (connection != null && !(connection.usable() && stillPreferred(connection.hop()))) {
                    endSession(connection);
                    connection = null;
                }
                if (connection == null) {
                    Resolution resolution = routing.resolve(channel.domain());
                    if (!(resolution instanceof Resolution.Hops found)) {
                        domainFailed(channel, entry, rest, resolution);
                        return;
                    }
                    Optional<SmtpPeerSession> opened = openFirst(channel, found.hops());
                    if (opened.isEmpty()) {
                        domainFailed(channel, entry, rest, null);
                        return;
                    }
                    connection = opened.get();
                }
                DeliveryOutcome outcome = connection.send(entry.mail());
                current = null;
                handle(channel, entry, outcome, connection.hop());
                if (gated) {
                    gated = false;
                    if (outcome.temporary().isEmpty() || !outcome.delivered().isEmpty()) {
                        channel.gateOpened(rest);
                        startSessions(channel);
                    } else {
                        channel.gateClosed(rest, clock.millis() + channel.profile().queueRunInterval().toMillis());
                        return;
                    }
                    rest = List.of();
                }
                if (outcome.connectionLost() || connection.transactions() >= channel.profile().maxMessagesPerSession()) {
                    endSession(connection);
                    connection = null;
                }
                next = connection == null ? channel.takePending(weightNow())
                    : channel.takePending(weightNow(), channel.profile().sessionIdleTime());
            }
        } catch (InterruptedException e) {
            // SMTPC stops: the mails it holds stay on the spool's queue, handed out again at the next start
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOGGER.error("SMTPC: session for {} failed unexpectedly", channel.domain(), e);
            if (current != null) {
                defer(channel, current, "451 4.3.0 local error in SMTPC: " + e);
            }
        } finally {
            if (gated) {
                channel.gateClosed(rest, clock.millis() + channel.profile().queueRunInterval().toMillis());
            }
            if (connection != null) {
                endSession(connection);
            }
            channel.endSession();
            // mail that arrived while this session was ending (or trying a queue run's gate) was refused a session
            // of its own, since this one was still counted: it would wait for the domain's next mail
            startSessions(channel);
        }
    }

    /** False for a connection to a relay host that is no longer the one to use (the primary answers again). */
    private boolean stillPreferred(Hop hop) {
        return routing.relays().filter(relays -> relays.isRelay(hop))
            .map(relays -> relays.hops().get(0).equals(hop))
            .orElse(true);
    }

    private void endSession(SmtpPeerSession connection) {
        LOGGER.info("SMTPC: session with {} closed after {} messages ({} delivered)", connection.hop(),
            connection.transactions(), connection.sent());
        connection.close();
    }

    private Optional<SmtpPeerSession> openFirst(DomainChannel channel, List<Hop> hops) {
        String problem = "no host to connect to";
        for (Hop hop : hops) {
            try {
                SmtpPeerSession connection = connect(hop);
                channel.noteHop(hop);
                routing.relays().ifPresent(relays -> relays.connected(hop));
                askForHeldMail(connection);
                return Optional.of(connection);
            } catch (MessagingException e) {
                problem = "cannot connect to " + hop + ": " + SmtpPeerSession.describe(e);
                LOGGER.info("SMTPC: {} (domain {})", problem, channel.domain());
                String reason = problem;
                routing.relays().ifPresent(relays -> relays.failed(hop, reason));
            }
        }
        channel.noteError(problem);
        return Optional.empty();
    }

    private SmtpPeerSession connect(Hop hop) throws MessagingException {
        return SmtpPeerSession.open(mailSession, hop);
    }

    /**
     * The domain cannot be reached: its name does not resolve (for good or for now) or no host took a connection. The
     * mail at hand, the rest of its run and the channel's pending mail all end the same way.
     */
    private void domainFailed(DomainChannel channel, QueuedEntry entry, List<QueuedEntry> rest, Resolution resolution) {
        List<QueuedEntry> all = new ArrayList<>();
        all.add(entry);
        all.addAll(rest);
        rest.clear();
        all.addAll(channel.drainPending());
        if (resolution instanceof Resolution.Permanent permanent) {
            channel.noteError(permanent.reason());
            String reply = "550 5.1.2 " + permanent.reason();
            all.forEach(failed -> {
                bounce(failed, recipientsWith(failed.mail().getRecipients(), reply));
                finish(failed.item(), MailQueueItem.CompletionStatus.SUCCESS);
            });
        } else {
            String reason = resolution instanceof Resolution.Temporary temporary ? temporary.reason() : null;
            if (reason != null) {
                channel.noteError(reason);
            }
            String reply = reason != null
                ? "451 4.4.3 " + reason
                : "421 4.4.1 " + channel.lastError().orElse("no connection");
            all.forEach(deferred -> defer(channel, deferred, reply));
        }
    }

    private void handle(DomainChannel channel, QueuedEntry entry, DeliveryOutcome outcome, Hop hop) {
        Mail mail = entry.mail();
        if (!outcome.delivered().isEmpty()) {
            LOGGER.info("SMTPC: mail {} delivered to {} via {}", mail.getName(), outcome.delivered(), hop);
            if (!outcome.dsnRelayed()) {
                notifyRelayed(mail, outcome.delivered(), hop);
            }
        }
        if (!outcome.permanent().isEmpty()) {
            channel.noteError(outcome.permanent().values().iterator().next());
            bounce(entry, outcome.permanent());
        }
        if (outcome.temporary().isEmpty()) {
            finish(entry.item(), MailQueueItem.CompletionStatus.SUCCESS);
        } else {
            String reply = outcome.temporary().values().iterator().next();
            channel.noteError(reply);
            mail.setRecipients(outcome.temporary().keySet());
            defer(channel, entry, reply);
        }
    }

    private static Map<MailAddress, String> recipientsWith(Collection<MailAddress> recipients, String reply) {
        return recipients.stream().collect(Collectors.toMap(recipient -> recipient, recipient -> reply,
            (first, second) -> first, LinkedHashMap::new));
    }

    private boolean expired(QueuedEntry entry, DomainChannel channel, long now) {
        return now - entry.queuedAt() >= channel.profile().expiry().toMillis();
    }

    private void expire(QueuedEntry entry, DomainChannel channel) {
        String reply = "550 5.4.7 delivery time expired after " + entry.attempts() + " attempts"
            + entry.lastReply().map(last -> "; last reply: " + last).orElse("");
        bounce(entry, recipientsWith(entry.mail().getRecipients(), reply));
        finish(entry.item(), MailQueueItem.CompletionStatus.SUCCESS);
        channel.noteError(reply);
    }

    /** A temporary failure: written with the mail (queued again), which waits for its channel's next run. */
    private void defer(DomainChannel channel, QueuedEntry entry, String reply) {
        long now = clock.millis();
        if (expired(entry, channel, now)) {
            expire(entry, channel);
            return;
        }
        long next = now + channel.profile().queueRunInterval().toMillis();
        entry.recordDeferral(now, next, reply);
        Mail mail = entry.mail();
        notifyDelay(entry, reply);
        try {
            queue.enQueue(mail);
        } catch (MailQueue.MailQueueException e) {
            LOGGER.error("SMTPC: mail {} could not be queued again ({}); it stays in the queue as it was",
                mail.getName(), e.getMessage());
            finish(entry.item(), MailQueueItem.CompletionStatus.REJECT);
            return;
        }
        finish(entry.item(), MailQueueItem.CompletionStatus.SUCCESS);
        LOGGER.info("SMTPC: mail {} to {} deferred (attempt {}): {}; next run {}", mail.getName(),
            mail.getRecipients(), entry.attempts(), reply, Instant.ofEpochMilli(next));
    }

    private void notifyDelay(QueuedEntry entry, String reply) {
        Mail mail = entry.mail();
        if (entry.delayNotified() || mail.getMaybeSender().isNullSender()) {
            return;
        }
        List<MailAddress> asked = asking(mail, mail.getRecipients(), DsnParameters.Notify.DELAY);
        if (asked.isEmpty()) {
            return;
        }
        entry.markDelayNotified();
        sendCopy(mail, asked, reply, DELAY_PROCESSOR);
    }

    /** The delivered recipients that asked NOTIFY=SUCCESS, from a peer that cannot report it: "relayed" notices. */
    private void notifyRelayed(Mail mail, List<MailAddress> delivered, Hop hop) {
        if (mail.getMaybeSender().isNullSender()) {
            return;
        }
        List<MailAddress> asked = asking(mail, delivered, DsnParameters.Notify.SUCCESS);
        if (!asked.isEmpty()) {
            sendCopy(mail, asked, "250 2.0.0 relayed to " + hop + ", which does not announce DSN", RELAYED_PROCESSOR);
        }
    }

    private static List<MailAddress> asking(Mail mail, Collection<MailAddress> recipients, DsnParameters.Notify notice) {
        return recipients.stream()
            .filter(recipient -> mail.dsnParameters()
                .flatMap(dsn -> Optional.ofNullable(dsn.getRcptParameters().get(recipient)))
                .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
                .map(notify -> notify.contains(notice))
                .orElse(false))
            .toList();
    }

    /** A permanent failure: one DSN to the sender (none to the null sender), one log line. */
    private void bounce(QueuedEntry entry, Map<MailAddress, String> failed) {
        Mail mail = entry.mail();
        String reply = failed.values().iterator().next();
        if (mail.getMaybeSender().isNullSender()) {
            LOGGER.info("SMTPC: mail {} to {} failed: {}; no notice (null sender)", mail.getName(), failed.keySet(), reply);
            return;
        }
        LOGGER.info("SMTPC: mail {} to {} failed: {}; notice to {}", mail.getName(), failed.keySet(), reply,
            mail.getMaybeSender().asString());
        sendCopy(mail, failed.keySet(), reply, BOUNCE_PROCESSOR);
    }

    private void sendCopy(Mail mail, Collection<MailAddress> recipients, String reply, String processor) {
        try {
            MailImpl copy = MailImpl.duplicate(mail);
            try {
                copy.setName(mail.getName() + "-" + processor);
                copy.setRecipients(recipients);
                copy.setErrorMessage(reply);
                copy.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(reply)));
                mailetContext.sendMail(copy, processor);
            } finally {
                copy.dispose();
            }
        } catch (MessagingException e) {
            LOGGER.error("SMTPC: the {} notice for mail {} could not be queued: {}", processor, mail.getName(), e.getMessage());
        }
    }

    private void finish(MailQueueItem item, MailQueueItem.CompletionStatus status) {
        try {
            item.done(status);
        } catch (MailQueue.MailQueueException e) {
            LOGGER.error("SMTPC: queue entry of mail {} could not be completed ({}): {}", item.getMail().getName(),
                status, e.getMessage());
        } finally {
            // the mail read from the queue holds its message source (a temporary file when large) until disposed
            LifecycleUtil.dispose(item.getMail());
            consumer.request(1);
        }
    }

    // ------------------------------------------------------------------------------------------ operations

    /** The state of every channel, by domain. */
    List<ChannelState> channelStates() {
        return channels.values().stream().sorted(Comparator.comparing(DomainChannel::domain))
            .map(DomainChannel::state).toList();
    }

    /** The state of every channel, one line each. */
    List<String> channels() {
        return channelStates().stream().map(ChannelState::describe).toList();
    }

    /** Makes the held and deferred mail of a domain due now; how many mails. */
    int flush(String domain) {
        DomainChannel channel = channels.get(domain.toLowerCase(Locale.ROOT));
        return channel == null ? 0 : channel.flush();
    }

    int flushAll() {
        return channels.values().stream().mapToInt(DomainChannel::flush).sum();
    }

    /** Whether a domain is held (an ETRN domain) and how many mails wait for it, for ETRN's reply. */
    Optional<Integer> etrnDomain(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        if (!settings.profile(name).hold()) {
            return Optional.empty();
        }
        return Optional.of(flush(name));
    }

    /** The ETRN domains under a domain (ETRN @domain): each one's count of mails now due. */
    Map<String, Integer> etrnSubdomains(String domain) {
        String suffix = "." + domain.toLowerCase(Locale.ROOT);
        Map<String, Integer> started = new TreeMap<>();
        for (DomainChannel channel : channels.values()) {
            if (channel.profile().hold() && (channel.domain().equals(suffix.substring(1)) || channel.domain().endsWith(suffix))) {
                started.put(channel.domain(), channel.flush());
            }
        }
        return started;
    }

    /** Why a mail is still queued: its weight and terms, channel state, last reply, next attempt, expiry. */
    Optional<QueuedMailState> queuedMail(String mailName) {
        long now = clock.millis();
        for (DomainChannel channel : channels.values()) {
            Optional<QueuedEntry> found = channel.find(mailName);
            if (found.isPresent()) {
                QueuedEntry entry = found.get();
                PriorityWeight weight = entry.weight(now, settings.precedenceMultiplier(), settings.sizeMultiplier());
                return Optional.of(new QueuedMailState(mailName,
                    entry.mail().getRecipients().stream().map(MailAddress::asString).toList(),
                    channel.stateOf(entry).orElse("being delivered"), weight.value(), weight, entry.attempts(),
                    entry.lastReply(),
                    entry.nextAttempt() > 0 ? Optional.of(Instant.ofEpochMilli(entry.nextAttempt())) : Optional.empty(),
                    Instant.ofEpochMilli(entry.queuedAt()).plus(channel.profile().expiry()), channel.state()));
            }
        }
        return Optional.empty();
    }
}
