package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.processor.ExamineProcessor;

/** EXAMINE answering EXISTS from the session's own view ({@link SelectionFromSessionView}). */
public class SessionViewExamineProcessor extends SelectionFromSessionView<ExamineRequest> {
    @Inject
    public SessionViewExamineProcessor(ExamineProcessor stock, ListArchiveNames listArchives) {
        super(ExamineRequest.class, stock, listArchives);
    }

    @Override
    protected ExamineRequest withMailboxName(ExamineRequest request, String mailboxName) {
        return new ExamineRequest(mailboxName, request.getCondstore(), request.getLastKnownUidValidity(),
            request.getKnownModSeq(), request.getUidSet(), request.getKnownUidSet(), request.getKnownSequenceSet(),
            request.getTag());
    }
}
