package org.switchboard.server.mailbox.migration;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;

/**
 * A mailbox's messages summed up: how many, their octets, and one SHA-256 over every message's signature (UID,
 * MODSEQ, internal date, size, flags) and octets in UID order. Equal digests in two stores mean the same messages
 * under the same UIDs, byte for byte.
 */
record MailboxDigest(long messages, long octets, String sha256) {
    static MailboxDigest of(MailboxSessionMapperFactory store, MailboxSession session, Mailbox mailbox) throws Exception {
        MessageDigest digest = newSha256();
        long[] totals = new long[2];
        byte[] buffer = new byte[64 * 1024];
        MessagePages.forEach(store, session, mailbox, page -> {
            for (MailboxMessage message : page) {
                digest.update(MessageSignature.of(message).toString().getBytes(StandardCharsets.UTF_8));
                long read = 0;
                try (InputStream content = message.getFullContent()) {
                    for (int n = content.read(buffer); n >= 0; n = content.read(buffer)) {
                        digest.update(buffer, 0, n);
                        read += n;
                    }
                }
                // the length closes each message's octets: no two different mailboxes give the same byte stream
                digest.update(ByteBuffer.allocate(Long.BYTES).putLong(read).array());
                totals[0]++;
                totals[1] += read;
            }
        });
        return new MailboxDigest(totals[0], totals[1], HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
