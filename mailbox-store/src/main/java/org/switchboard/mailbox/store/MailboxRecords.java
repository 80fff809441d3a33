package org.switchboard.mailbox.store;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.UnsupportedRightException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;

/** Values of the mailbox and ACL records. */
final class MailboxRecords {
    private MailboxRecords() {
    }

    static byte[] encode(Mailbox mailbox) {
        return new RecordOutput()
            .writeString(mailbox.getNamespace())
            .writeString(mailbox.getUser() == null ? "" : mailbox.getUser().asString())
            .writeString(mailbox.getName())
            .writeLong(mailbox.getUidValidity().asLong())
            .toByteArray();
    }

    static Mailbox decode(RocksDbMailboxId id, byte[] value, MailboxACL acl) {
        RecordInput in = new RecordInput(value);
        String namespace = in.readString();
        String user = in.readString();
        String name = in.readString();
        Mailbox mailbox = new Mailbox(new MailboxPath(namespace, user.isEmpty() ? null : Username.of(user), name),
            UidValidity.of(in.readLong()), id);
        mailbox.setACL(acl);
        return mailbox;
    }

    static byte[] encode(MailboxACL acl) {
        RecordOutput out = new RecordOutput().writeInt(acl.getEntries().size());
        acl.getEntries().forEach((key, rights) -> out.writeString(key.serialize()).writeString(rights.serialize()));
        return out.toByteArray();
    }

    static MailboxACL decodeAcl(byte[] value) throws UnsupportedRightException {
        if (value == null) {
            return MailboxACL.EMPTY;
        }
        RecordInput in = new RecordInput(value);
        int count = in.readInt();
        Map<MailboxACL.EntryKey, MailboxACL.Rfc4314Rights> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            entries.put(MailboxACL.EntryKey.deserialize(in.readString()),
                MailboxACL.Rfc4314Rights.deserialize(in.readString()));
        }
        return new MailboxACL(entries);
    }
}
