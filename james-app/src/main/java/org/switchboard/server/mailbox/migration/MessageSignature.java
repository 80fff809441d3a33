package org.switchboard.server.mailbox.migration;

import java.util.Arrays;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.store.mail.model.MailboxMessage;

/**
 * What IMAP shows of a message besides its octets: UID, MODSEQ, internal date, size, system and user flags. Two
 * stores agree on a message when its signature and its octets are the same in both.
 */
record MessageSignature(long uid, long modSeq, long internalDate, long size, String flags) {
    private static final List<Flags.Flag> SYSTEM_FLAGS = List.of(Flags.Flag.ANSWERED, Flags.Flag.DELETED,
        Flags.Flag.DRAFT, Flags.Flag.FLAGGED, Flags.Flag.RECENT, Flags.Flag.SEEN);
    private static final List<String> SYSTEM_FLAG_NAMES = List.of("\\Answered", "\\Deleted", "\\Draft", "\\Flagged",
        "\\Recent", "\\Seen");

    static MessageSignature of(MailboxMessage message) {
        return new MessageSignature(message.getUid().asLong(), message.getModSeq().asLong(),
            message.getInternalDate().getTime(), message.getFullContentOctets(), flagsOf(message.createFlags()));
    }

    /** System flags in a fixed order, then the user flags sorted: the same text for the same flags in any store. */
    private static String flagsOf(Flags flags) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < SYSTEM_FLAGS.size(); i++) {
            if (flags.contains(SYSTEM_FLAGS.get(i))) {
                text.append(SYSTEM_FLAG_NAMES.get(i)).append(' ');
            }
        }
        String[] userFlags = flags.getUserFlags();
        Arrays.sort(userFlags);
        for (String userFlag : userFlags) {
            text.append(userFlag).append(' ');
        }
        return text.toString().trim();
    }
}
