package org.switchboard.server.mailbox.search;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.SearchQuery.UidRange;

/** The fewest UID ranges that cover exactly the given UIDs. */
final class UidRanges {
    private UidRanges() {
    }

    static UidRange[] of(List<MessageUid> uids) {
        List<MessageUid> sorted = uids.stream().sorted().distinct().toList();
        List<UidRange> ranges = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= sorted.size(); i++) {
            boolean runEnds = i == sorted.size() || !sorted.get(i).equals(sorted.get(i - 1).next());
            if (runEnds) {
                ranges.add(new UidRange(sorted.get(start), sorted.get(i - 1)));
                start = i;
            }
        }
        return ranges.toArray(UidRange[]::new);
    }
}
