package org.switchboard.server.imap;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.message.response.ContinuationResponse;

/**
 * A responder several threads may write to: one response (or flush) at a time, each written whole. Until
 * {@link #open()} it only keeps the responses, in order: the channel handler flushes the same buffer, without this
 * lock, once the command that made this responder has completed; {@code open()} is called after that.
 */
final class SerializedResponder implements Responder {
    private final Responder delegate;
    private final List<ImapResponseMessage> kept = new ArrayList<>();
    private boolean open;

    SerializedResponder(Responder delegate) {
        this.delegate = delegate;
    }

    @Override
    public synchronized void respond(ImapResponseMessage message) {
        if (open) {
            delegate.respond(message);
        } else {
            kept.add(message);
        }
    }

    @Override
    public synchronized void flush() {
        if (open) {
            delegate.flush();
        }
    }

    /**
     * Writes what was kept, the command continuation request first, then every response as it comes. James' IDLE
     * listens to the mailbox before it answers {@code + Idling}, so an event can be kept before it; a client waits for
     * the {@code +} before it reads the mailbox's news.
     */
    synchronized void open() {
        if (!open) {
            open = true;
            kept.stream().filter(ContinuationResponse.class::isInstance).forEach(delegate::respond);
            kept.stream().filter(response -> !(response instanceof ContinuationResponse)).forEach(delegate::respond);
            kept.clear();
            delegate.flush();
        }
    }
}
