package org.switchboard.server.imap;

import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.response.ImmutableStatusResponse;
import org.apache.james.imap.processor.base.ImapResponseMessageProcessor;

import reactor.core.publisher.Mono;

/**
 * James' answer to a line it cannot decode, flushed at once. Before login that answer is {@code * BYE Unknown
 * command.} and the session is already logged out: James' channel handler closes a logged-out connection before it
 * flushes what the command wrote, so the client saw the connection dropped without the BYE.
 */
public class FlushedStatusResponseProcessor extends ImapResponseMessageProcessor {
    @Override
    protected Mono<Void> doProcess(ImmutableStatusResponse message, Responder responder, ImapSession session) {
        return super.doProcess(message, responder, session).then(Mono.fromRunnable(responder::flush));
    }
}
