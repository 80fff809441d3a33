package org.switchboard.server.mailbox.migration;

import java.util.List;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

import com.google.common.collect.ImmutableList;

/**
 * The messages of one mailbox by ascending UID, a page at a time, each page through a mapper of its own: James' JPA
 * mapper keeps every entity it read, octets included once read, until its request ends, so a whole mailbox read at
 * once would have to fit in memory. Eight messages of the 50 MiB the server accepts are 400 MiB: within the default
 * 1 GiB heap with the batch being written.
 */
final class MessagePages {
    static final int PAGE_SIZE = 8;

    @FunctionalInterface
    interface PageVisitor {
        void visit(List<MailboxMessage> page) throws Exception;
    }

    private MessagePages() {
    }

    static void forEach(MailboxSessionMapperFactory store, MailboxSession session, Mailbox mailbox, PageVisitor visitor)
            throws Exception {
        MessageUid from = MessageUid.MIN_VALUE;
        while (true) {
            MessageMapper mapper = store.createMessageMapper(session);
            List<MailboxMessage> page;
            try {
                page = ImmutableList.copyOf(mapper.findInMailbox(mailbox, MessageRange.from(from), MessageMapper.FetchType.FULL, PAGE_SIZE));
                // read while the request is open: JPA loads message octets from it
                visitor.visit(page);
            } finally {
                mapper.endRequest();
            }
            if (page.size() < PAGE_SIZE) {
                return;
            }
            from = page.get(page.size() - 1).getUid().next();
        }
    }
}
