package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.IdleRequest;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/**
 * IDLE whose writers take turns. James' IDLE answers mailbox events from an asynchronous listener, the heartbeat from
 * a timer and DONE from the connection's thread, all through one responder whose buffer is not thread-safe, and the
 * channel handler flushes that buffer once more when the IDLE command completes: under concurrent deliveries a
 * client got lines mixed byte by byte ({@code i OK*  373E com EXISTS}), {@code + Idling} or the tagged OK twice.
 * Every write now goes through one {@link SerializedResponder}, opened once the command has completed (its
 * {@code doFinally} runs after the handler's flush, which is downstream of it).
 */
public class SerializedIdleProcessor extends IdleProcessor {
    @Inject
    public SerializedIdleProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory) {
        super(mailboxManager, factory, metricFactory);
    }

    @Override
    protected Mono<Void> processRequestReactive(IdleRequest request, ImapSession session, Responder responder) {
        SerializedResponder serialized = new SerializedResponder(responder);
        return super.processRequestReactive(request, session, serialized)
            .doFinally(signal -> serialized.open());
    }
}
