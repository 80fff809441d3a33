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
 * once would have to fit in memory. A page is at most {@link #PAGE_SIZE} messages and, by their sizes (known before
 * their octets are loaded), at most {@link #PAGE_OCTETS} octets, or one message when it alone is larger: with the
 * batch being written, well within the default 1 GiB heap even for 50 MiB messages.
 */
final class MessagePages {
    static final int PAGE_SIZE = 64;
    static final long PAGE_OCTETS = 64L * 1024 * 1024;

    @FunctionalInterface
    interface PageVisitor {
        void visit(List<MailboxMessage> page) throws Exception;
    }

    private MessagePages() {
    }

    static void forEach(MailboxSessionMapperFactory store, MailboxSession session, Mailbox mailbox, PageVisitor visitor)
            throws Exception {
        forEach(store, session, mailbox, PAGE_SIZE, PAGE_OCTETS, visitor);
    }

    static void forEach(MailboxSessionMapperFactory store, MailboxSession session, Mailbox mailbox, int pageSize,
                        long pageOctets, PageVisitor visitor) throws Exception {
        MessageUid from = MessageUid.MIN_VALUE;
        while (true) {
            MessageMapper mapper = store.createMessageMapper(session);
            List<MailboxMessage> found;
            List<MailboxMessage> page;
            try {
                found = ImmutableList.copyOf(mapper.findInMailbox(mailbox, MessageRange.from(from), MessageMapper.FetchType.FULL, pageSize));
                page = withinOctets(found, pageOctets);
                // read while the request is open: JPA loads message octets from it
                visitor.visit(page);
            } finally {
                mapper.endRequest();
            }
            if (found.size() < pageSize && page.size() == found.size()) {
                return;
            }
            from = page.get(page.size() - 1).getUid().next();
        }
    }

    private static List<MailboxMessage> withinOctets(List<MailboxMessage> found, long pageOctets) {
        long octets = 0;
        for (int i = 0; i < found.size(); i++) {
            octets += found.get(i).getFullContentOctets();
            if (octets > pageOctets) {
                return found.subList(0, Math.max(i, 1));
            }
        }
        return found;
    }
}
