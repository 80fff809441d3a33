package org.switchboard.server.lists;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.inmemory.manager.InMemoryIntegrationResources;
import org.switchboard.mailets.lists.BounceRecords;
import org.switchboard.mailets.lists.ListArchive;
import org.switchboard.mailets.lists.ListDigests;

/** The list manager's digests and archive on James' in-memory mailbox, one mailbox manager per call. */
final class ListTestMailboxes {
    private ListTestMailboxes() {
    }

    static MailboxManager mailboxManager() {
        return InMemoryIntegrationResources.defaultResources().getMailboxManager();
    }

    static ListDigests digests(RecordingContext context, BounceRecords bounceRecords) {
        return new ListDigests(mailboxManager(), context.context(), bounceRecords);
    }

    static ListArchive archive() {
        return new ListArchive(mailboxManager());
    }
}
