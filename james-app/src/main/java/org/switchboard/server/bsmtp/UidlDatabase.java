package org.switchboard.server.bsmtp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The UIDLs of one POP3 account whose messages are safely in the spool (spec: "Unique ID Listing"): a message seen
 * again in a later session is deleted on the server and not injected twice. One file per account, one UIDL per line
 * (RFC 1939 UIDLs are 1-70 printable ASCII characters), appended and synced before the message is deleted on the
 * server; rewritten (a new file synced, then renamed over the old one) to forget UIDLs the server no longer has.
 */
final class UidlDatabase implements AutoCloseable {
    private final Path file;
    private final Set<String> uidls = new LinkedHashSet<>();
    private FileChannel channel;

    private UidlDatabase(Path file) {
        this.file = file;
    }

    static UidlDatabase open(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        UidlDatabase database = new UidlDatabase(file);
        if (Files.exists(file)) {
            String content = Files.readString(file, StandardCharsets.US_ASCII);
            String[] lines = content.split("\n", -1);
            // the last piece is empty when the file ends with a line end; otherwise it is a UIDL cut by a crash while
            // it was appended, whose message was not deleted yet: forgotten
            for (int i = 0; i < lines.length - 1; i++) {
                if (!lines[i].isEmpty()) {
                    database.uidls.add(lines[i]);
                }
            }
            if (!lines[lines.length - 1].isEmpty()) {
                database.rewrite(database.uidls);
            }
        }
        database.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        return database;
    }

    synchronized boolean contains(String uidl) {
        return uidls.contains(uidl);
    }

    synchronized int size() {
        return uidls.size();
    }

    /** Records a UIDL durably (synced to disk) before returning. */
    synchronized void add(String uidl) throws IOException {
        if (!uidl.matches("[\\x21-\\x7e]{1,70}")) {
            throw new IOException("UIDL '" + uidl + "' is not 1-70 printable ASCII characters (RFC 1939)");
        }
        if (uidls.add(uidl)) {
            channel.write(ByteBuffer.wrap((uidl + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
        }
    }

    /** Forgets the UIDLs the server no longer lists (their messages were deleted). */
    synchronized void retainOnly(Collection<String> onServer) throws IOException {
        if (uidls.retainAll(Set.copyOf(onServer))) {
            channel.close();
            rewrite(uidls);
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    private void rewrite(Set<String> content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            StringBuilder text = new StringBuilder();
            content.forEach(uidl -> text.append(uidl).append('\n'));
            out.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
