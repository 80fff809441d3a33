package org.switchboard.server.spool;

import org.apache.james.queue.api.MailQueue.MailQueueException;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.switchboard.pipeline.SpoolName;

/**
 * Records on every mail the spool hands out the name of its spool entry ({@link SpoolName}), before any processor
 * runs: the Message Store keys its exactly-once appends on it. A decorator of the dequeued items, since a mail a
 * mailet sends to a named processor (e.g. the TNEF expander's second message) starts there, not in {@code root}.
 * Replaces James' raw (do-nothing) decorator.
 */
public class SpoolNameRecorder implements MailQueueItemDecoratorFactory {
    @Override
    public MailQueueItemDecorator decorate(MailQueueItem item, MailQueueName queue) {
        SpoolName.record(item.getMail());
        return new MailQueueItemDecorator(item) {
            @Override
            public Mail getMail() {
                return mailQueueItem.getMail();
            }

            @Override
            public void done(CompletionStatus status) throws MailQueueException {
                mailQueueItem.done(status);
            }
        };
    }
}
