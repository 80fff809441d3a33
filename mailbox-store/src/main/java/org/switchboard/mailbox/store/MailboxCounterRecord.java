package org.switchboard.mailbox.store;

import java.util.Set;

import javax.mail.Flags;

import com.google.common.collect.ImmutableSet;

/**
 * The counters of one mailbox, stored in the same batch as every change of its messages: last UID, highest MODSEQ,
 * message count, unseen count, and the user flags its messages have carried (the applicable flags grow with use and
 * are not recomputed by reading every message). Read from the store, not from a cache, they always match the
 * messages a reader can list at that moment.
 */
record MailboxCounterRecord(long lastUid, long highestModSeq, long count, long unseen, Set<String> userFlags) {
    static final MailboxCounterRecord EMPTY = new MailboxCounterRecord(0, 0, 0, 0, ImmutableSet.of());

    static MailboxCounterRecord decode(byte[] value) {
        if (value == null) {
            return EMPTY;
        }
        RecordInput in = new RecordInput(value);
        long lastUid = in.readLong();
        long highestModSeq = in.readLong();
        long count = in.readLong();
        long unseen = in.readLong();
        int userFlagCount = in.readInt();
        ImmutableSet.Builder<String> userFlags = ImmutableSet.builder();
        for (int i = 0; i < userFlagCount; i++) {
            userFlags.add(in.readString());
        }
        return new MailboxCounterRecord(lastUid, highestModSeq, count, unseen, userFlags.build());
    }

    byte[] encode() {
        RecordOutput out = new RecordOutput()
            .writeLong(lastUid)
            .writeLong(highestModSeq)
            .writeLong(count)
            .writeLong(unseen)
            .writeInt(userFlags.size());
        userFlags.forEach(out::writeString);
        return out.toByteArray();
    }

    MailboxCounterRecord withNextUid() {
        return new MailboxCounterRecord(lastUid + 1, highestModSeq, count, unseen, userFlags);
    }

    MailboxCounterRecord withNextModSeq() {
        return new MailboxCounterRecord(lastUid, highestModSeq + 1, count, unseen, userFlags);
    }

    /** After storing a message under {@code uid}/{@code modSeq}: keeps UID and MODSEQ at their highest. */
    MailboxCounterRecord including(long uid, long modSeq) {
        return new MailboxCounterRecord(Math.max(lastUid, uid), Math.max(highestModSeq, modSeq), count, unseen, userFlags);
    }

    MailboxCounterRecord plus(long messages, long unseenMessages) {
        return new MailboxCounterRecord(lastUid, highestModSeq, count + messages, unseen + unseenMessages, userFlags);
    }

    /** Counts a message that now carries {@code flags} among the applicable user flags. */
    MailboxCounterRecord withUserFlagsOf(Flags flags) {
        Set<String> added = Set.of(flags.getUserFlags());
        if (userFlags.containsAll(added)) {
            return this;
        }
        return new MailboxCounterRecord(lastUid, highestModSeq, count, unseen,
            ImmutableSet.<String>builder().addAll(userFlags).addAll(added).build());
    }
}
