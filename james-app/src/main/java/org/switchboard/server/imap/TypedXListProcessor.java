package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.DefaultMailboxTyper;
import org.apache.james.imap.processor.XListProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.metrics.api.MetricFactory;

/**
 * XLIST with James' default mailbox types (INBOX, Drafts, Sent, Spam, Trash). James' Guice wiring builds XLIST
 * without a typer: the command was not announced but still parsed, and failed on every call
 * ({@code NO XLIST processing failed.}, a NullPointerException in the log).
 */
public class TypedXListProcessor extends XListProcessor {
    @Inject
    public TypedXListProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory,
            SubscriptionManager subscriptionManager) {
        super(mailboxManager, factory, new DefaultMailboxTyper(), metricFactory, subscriptionManager);
    }
}
