package org.switchboard.server.imap;

import java.util.List;

import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.response.ExistsResponse;
import org.apache.james.imap.processor.PermitEnableCapabilityProcessor;
import org.apache.james.imap.processor.base.AbstractProcessor;
import org.apache.james.util.MDCBuilder;
import org.switchboard.mailets.lists.ListArchive;

import reactor.core.publisher.Mono;

/**
 * SELECT / EXAMINE whose {@code EXISTS} is the number of messages the session itself holds (its MSN → UID map),
 * not the mailbox counters read a moment later.
 *
 * <p>James 3.8.1 fills the session's MSN → UID map from a listing of the mailbox, then answers EXISTS from the
 * counters, read afterwards. A message delivered between the two is counted in EXISTS but enters the map only when
 * its "added" event reaches the session: a client that fetches it at once (as mail clients do after SELECT) gets
 * {@code BAD FETCH failed. Invalid messageset}. Answering from the session's own view makes EXISTS and the MSNs it
 * announces agree at every moment; the late message is announced by an untagged EXISTS on the next command, as for
 * any message delivered while the mailbox is selected (RFC 3501 7.3.1). Later James versions answer the same way.
 *
 * <p>A list archive's name ({@link ListArchiveNames}) selects that archive.
 *
 * <p>Everything else is the stock processor's, to which this delegates (including CONDSTORE/QRESYNC enabling).
 */
abstract class SelectionFromSessionView<R extends AbstractMailboxSelectionRequest> extends AbstractProcessor<R>
        implements PermitEnableCapabilityProcessor {
    private final AbstractProcessor<R> stock;
    private final PermitEnableCapabilityProcessor stockCapabilities;
    private final ListArchiveNames listArchives;

    <P extends AbstractProcessor<R> & PermitEnableCapabilityProcessor> SelectionFromSessionView(Class<R> request, P stock,
                                                                                               ListArchiveNames listArchives) {
        super(request);
        this.stock = stock;
        this.stockCapabilities = stock;
        this.listArchives = listArchives;
    }

    /** The same request for another mailbox name. */
    protected abstract R withMailboxName(R request, String mailboxName);

    @Override
    protected Mono<Void> doProcess(R request, Responder responder, ImapSession session) {
        Responder existsFromSession = new ExistsFromSession(responder, session);
        return listArchives.owner(request.getMailboxName())
            .map(list -> stock.processReactive(withMailboxName(request, ListArchive.MAILBOX), existsFromSession,
                ListArchiveNames.seenAs(session, list)))
            .orElseGet(() -> stock.processReactive(request, existsFromSession, session));
    }

    @Override
    protected MDCBuilder mdc(R message) {
        // the stock processor adds its own context when it runs
        return MDCBuilder.create();
    }

    @Override
    public void configure(ImapConfiguration imapConfiguration) {
        stock.configure(imapConfiguration);
    }

    @Override
    public List<Capability> getImplementedCapabilities(ImapSession session) {
        return stockCapabilities.getImplementedCapabilities(session);
    }

    @Override
    public List<Capability> getPermitEnableCapabilities(ImapSession session) {
        return stockCapabilities.getPermitEnableCapabilities(session);
    }

    @Override
    public Mono<Void> enable(ImapMessage message, Responder responder, ImapSession session, Capability capability) {
        return stockCapabilities.enable(message, responder, session, capability);
    }

    /** Replaces the EXISTS count of the selection response by the count of the session's selected mailbox. */
    private static final class ExistsFromSession implements Responder {
        private final Responder responder;
        private final ImapSession session;

        ExistsFromSession(Responder responder, ImapSession session) {
            this.responder = responder;
            this.session = session;
        }

        @Override
        public void respond(ImapResponseMessage message) {
            SelectedMailbox selected = session.getSelected();
            if (message instanceof ExistsResponse && selected != null) {
                responder.respond(new ExistsResponse(selected.existsCount()));
            } else {
                responder.respond(message);
            }
        }

        @Override
        public void flush() {
            responder.flush();
        }
    }
}
