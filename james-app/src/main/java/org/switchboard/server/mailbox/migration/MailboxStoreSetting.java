package org.switchboard.server.mailbox.migration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Sets {@code mailbox.store=rocksdb} in {@code conf/mailbox.properties}, keeping the administrator's comments and
 * other lines; the file is replaced atomically.
 */
final class MailboxStoreSetting {
    static final String FILE = "mailbox.properties";
    private static final Pattern STORE_LINE = Pattern.compile("^\\s*mailbox\\.store\\s*[=:\\s].*$");
    private static final String ROCKSDB = "mailbox.store=rocksdb";

    private MailboxStoreSetting() {
    }

    /** Returns whether the file changed. Without the file, RocksDB is chosen already. */
    static boolean useRocksDb(Path confDirectory) throws IOException {
        Path file = confDirectory.resolve(FILE);
        if (!Files.exists(file)) {
            return false;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        List<String> changed = new ArrayList<>();
        boolean set = false;
        for (String line : lines) {
            if (STORE_LINE.matcher(line).matches()) {
                changed.add(set ? "#" + line : ROCKSDB);
                set = true;
            } else {
                changed.add(line);
            }
        }
        if (!set) {
            changed.add(ROCKSDB);
        }
        if (changed.equals(lines)) {
            return false;
        }
        Path temporary = file.resolveSibling(FILE + ".new");
        Files.write(temporary, changed, StandardCharsets.ISO_8859_1);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }
}
