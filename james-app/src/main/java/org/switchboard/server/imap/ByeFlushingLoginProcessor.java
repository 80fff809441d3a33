package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.processor.LoginProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;

/**
 * LOGIN whose third failure is answered: James writes {@code * BYE Login failed too many times.} and logs the
 * session out, and its channel handler closes a logged-out connection before flushing, so the BYE was lost.
 */
public class ByeFlushingLoginProcessor extends LoginProcessor {
    @Inject
    public ByeFlushingLoginProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory) {
        super(mailboxManager, factory, metricFactory);
    }

    @Override
    protected void manageFailureCount(ImapSession session, ImapRequest request, Responder responder, HumanReadableText failed) {
        super.manageFailureCount(session, request, responder, failed);
        responder.flush();
    }
}
