package org.switchboard.mailets.messageswitch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.InitParameters;

/**
 * Splits a mail with more than {@code maxRecipients} recipients into mails of whole domains, each of at most that many
 * recipients (a domain with more stays whole in a mail of its own), so that the spooler's threads process the parts
 * side by side: a list post to 10,000 members otherwise goes through the whole pipeline on one thread. Recipients of
 * one domain stay together, so SMTPC still makes one transaction per domain.
 *
 * <p>The mail keeps the first part and goes on; the other parts, copies of it (attributes, per-recipient headers and
 * DSN parameters included), are written to the spool in the processor named by {@code processor}, the one that
 * follows. They are put on the spool directly, not sent as mail made by a mailet, so that they keep the original's
 * input channel and relay rights.
 *
 * <p>Parameters: {@code maxRecipients} (default {@value #DEFAULT_MAX_RECIPIENTS}, at least 1), {@code processor}
 * (required).
 */
public class SplitByDomains extends GenericMailet {
    public static final int DEFAULT_MAX_RECIPIENTS = 1000;
    private static final Logger LOGGER = LoggerFactory.getLogger(SplitByDomains.class);

    private final MailQueueFactory<?> queues;
    private MailQueue spool;
    private int maxRecipients;
    private ProcessingState processor;

    @Inject
    public SplitByDomains(MailQueueFactory<?> queues) {
        this.queues = queues;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of("maxRecipients", "processor"));
        maxRecipients = parameters.number("maxRecipients", DEFAULT_MAX_RECIPIENTS, 1, Integer.MAX_VALUE);
        processor = new ProcessingState(parameters.required("processor", "name the processor where the parts go on"));
        spool = queues.createQueue(MailQueueFactory.SPOOL);
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.of(processor);
    }

    @Override
    public String getMailetInfo() {
        return "SplitByDomains: a mail of many recipients becomes mails of whole domains, processed side by side";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getRecipients().size() <= maxRecipients) {
            return;
        }
        List<List<MailAddress>> parts = parts(mail.getRecipients(), maxRecipients);
        for (int i = 1; i < parts.size(); i++) {
            Mail part = mail.duplicate();
            try {
                part.setName(mail.getName() + "-part" + (i + 1));
                part.setRecipients(parts.get(i));
                part.setState(processor.getValue());
                spool.enQueue(part);
            } finally {
                LifecycleUtil.dispose(part);
            }
        }
        mail.setRecipients(parts.get(0));
        if (parts.size() > 1) {
            LOGGER.info("Mail {}: its recipients are split into {} mails of whole domains (at most {} recipients each"
                + " but for a larger domain)", mail.getName(), parts.size(), maxRecipients);
        }
    }

    /** The recipients by domain (in order of first appearance), whole domains packed into parts of at most max. */
    static List<List<MailAddress>> parts(Collection<MailAddress> recipients, int max) {
        Map<Domain, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            byDomain.computeIfAbsent(recipient.getDomain(), domain -> new ArrayList<>()).add(recipient);
        }
        List<List<MailAddress>> parts = new ArrayList<>();
        List<MailAddress> current = new ArrayList<>();
        for (List<MailAddress> domain : byDomain.values()) {
            if (!current.isEmpty() && current.size() + domain.size() > max) {
                parts.add(current);
                current = new ArrayList<>();
            }
            current.addAll(domain);
        }
        if (!current.isEmpty()) {
            parts.add(current);
        }
        return parts;
    }
}
