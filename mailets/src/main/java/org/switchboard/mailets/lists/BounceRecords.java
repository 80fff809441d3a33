package org.switchboard.mailets.lists;

import org.apache.james.core.MailAddress;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/** Where the list manager keeps its members' bounce scores (the directory, below each list). */
public interface BounceRecords {

    /** The list's bounce settings and every record it has. */
    BounceState state(DistributionList list) throws DirectoryUnavailableException;

    /** Stores the record, replacing the member's previous one. */
    void save(DistributionList list, BounceRecord record) throws DirectoryUnavailableException;

    /** Forgets the member's record (re-enabling its delivery); false when there was none. */
    boolean remove(DistributionList list, MailAddress member) throws DirectoryUnavailableException;
}
