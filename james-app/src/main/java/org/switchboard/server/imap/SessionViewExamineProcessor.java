package org.switchboard.server.imap;

import javax.inject.Inject;

import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.processor.ExamineProcessor;

/** EXAMINE answering EXISTS from the session's own view ({@link SelectionFromSessionView}). */
public class SessionViewExamineProcessor extends SelectionFromSessionView<ExamineRequest> {
    @Inject
    public SessionViewExamineProcessor(ExamineProcessor stock) {
        super(ExamineRequest.class, stock);
    }
}
