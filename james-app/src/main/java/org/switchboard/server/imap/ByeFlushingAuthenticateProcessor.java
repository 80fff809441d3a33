package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.processor.AuthenticateProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;

/** AUTHENTICATE whose third failure is answered with its BYE ({@link ByeFlushingLoginProcessor} tells why). */
public class ByeFlushingAuthenticateProcessor extends AuthenticateProcessor {
    @Inject
    public ByeFlushingAuthenticateProcessor(MailboxManager mailboxManager, StatusResponseFactory factory,
            MetricFactory metricFactory) {
        super(mailboxManager, factory, metricFactory);
    }

    @Override
    protected void manageFailureCount(ImapSession session, ImapRequest request, Responder responder, HumanReadableText failed) {
        super.manageFailureCount(session, request, responder, failed);
        responder.flush();
    }
}
