package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.processor.SelectProcessor;

/** SELECT answering EXISTS from the session's own view ({@link SelectionFromSessionView}). */
public class SessionViewSelectProcessor extends SelectionFromSessionView<SelectRequest> {
    @Inject
    public SessionViewSelectProcessor(SelectProcessor stock, ListArchiveNames listArchives) {
        super(SelectRequest.class, stock, listArchives);
    }

    @Override
    protected SelectRequest withMailboxName(SelectRequest request, String mailboxName) {
        return new SelectRequest(mailboxName, request.getCondstore(), request.getLastKnownUidValidity(),
            request.getKnownModSeq(), request.getUidSet(), request.getKnownUidSet(), request.getKnownSequenceSet(),
            request.getTag());
    }
}
