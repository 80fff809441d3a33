package org.switchboard.mailets.smtpc;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.InitParameters;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The SMTPC queue router: the output channel's entry. Each mail's recipients are grouped by destination domain and
 * one copy per domain goes on SMTPC's persistent mail queue (a RocksDB queue of the spool, synced before this mailet
 * returns; the copies of one mail are written side by side), tagged with its domain ({@link SmtpcAttributes#DOMAIN});
 * the SMTPC delivery service of the server takes it from there (per-domain channels, priority weight, deferred
 * queue). The mail itself ends here.
 *
 * <p>Parameters: {@code queue} (default {@value #DEFAULT_QUEUE}; must be the queue of {@code conf/smtpc.xml}).
 */
public class SmtpcQueueRouter extends GenericMailet {
    public static final String DEFAULT_QUEUE = "smtpc";
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpcQueueRouter.class);
    /** Copies being written to the queue at once. */
    private static final int CONCURRENT_WRITES = 16;

    private final MailQueueFactory<?> queues;
    private final Clock clock;
    private MailQueue queue;

    @Inject
    public SmtpcQueueRouter(MailQueueFactory<?> queues) {
        this(queues, Clock.systemUTC());
    }

    SmtpcQueueRouter(MailQueueFactory<?> queues, Clock clock) {
        this.queues = queues;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of("queue"));
        String name = parameters.value("queue", DEFAULT_QUEUE);
        if (name.isBlank()) {
            throw parameters.invalid("queue", name, "a queue name is required");
        }
        queue = queues.createQueue(MailQueueName.of(name));
    }

    @Override
    public String getMailetInfo() {
        return "SMTPC queue router";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<String, List<MailAddress>> byDomain = byDomain(mail.getRecipients());
        long now = clock.millis();
        if (byDomain.size() == 1) {
            // one domain (most relayed mail): the mail itself is queued, without the copy of its message a
            // duplicate makes (a tenth of a relayed mail's CPU); it ends here anyway
            String processing = mail.getState();
            mail.setState(Mail.DEFAULT);
            tag(mail, byDomain.keySet().iterator().next(), now);
            try {
                enqueueAll(List.of(mail));
            } catch (MailQueueException e) {
                mail.setState(processing); // the container's error handling goes on from where the mail was
                throw e;
            }
            mail.setState(Mail.GHOST);
            return;
        }
        List<MailImpl> copies = new ArrayList<>(byDomain.size());
        try {
            for (Map.Entry<String, List<MailAddress>> domain : byDomain.entrySet()) {
                MailImpl copy = MailImpl.duplicate(mail);
                copies.add(copy);
                copy.setName(mail.getName() + "-" + domain.getKey());
                copy.setRecipients(domain.getValue());
                copy.setState(Mail.DEFAULT);
                tag(copy, domain.getKey(), now);
            }
            enqueueAll(copies);
        } finally {
            copies.forEach(MailImpl::dispose);
        }
        mail.setState(Mail.GHOST);
    }

    private static void tag(Mail mail, String domain, long queuedAt) {
        mail.setAttribute(new Attribute(SmtpcAttributes.DOMAIN, AttributeValue.of(domain)));
        mail.setAttribute(new Attribute(SmtpcAttributes.QUEUED_AT, AttributeValue.of(queuedAt)));
    }

    /**
     * The copies are queued side by side: a list post makes one per domain, a hundred or more, and the spool's synced
     * writes made at the same time share their fsyncs. Returns once every copy is stored.
     */
    private void enqueueAll(List<? extends Mail> copies) throws MailQueueException {
        try {
            Flux.fromIterable(copies)
                .flatMap(copy -> Mono.from(queue.enqueueReactive(copy))
                    .doOnSuccess(done -> LOGGER.debug("Mail {} queued for SMTPC ({})", copy.getName(),
                        copy.getRecipients())), CONCURRENT_WRITES)
                .then()
                .block();
        } catch (RuntimeException e) {
            throw new MailQueueException("Cannot queue mail for SMTPC in " + queue.getName().asString() + ": "
                + e.getMessage(), e);
        }
    }

    static Map<String, List<MailAddress>> byDomain(Collection<MailAddress> recipients) {
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            String domain = recipient.getDomain().asString().toLowerCase(Locale.ROOT);
            byDomain.computeIfAbsent(domain, key -> new ArrayList<>()).add(recipient);
        }
        return byDomain;
    }
}
