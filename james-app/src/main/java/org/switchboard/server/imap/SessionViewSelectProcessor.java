package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.processor.SelectProcessor;

/** SELECT answering EXISTS from the session's own view ({@link SelectionFromSessionView}). */
public class SessionViewSelectProcessor extends SelectionFromSessionView<SelectRequest> {
    @Inject
    public SessionViewSelectProcessor(SelectProcessor stock) {
        super(SelectRequest.class, stock);
    }
}
