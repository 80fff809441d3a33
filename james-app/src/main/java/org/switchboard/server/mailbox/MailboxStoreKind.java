package org.switchboard.server.mailbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

import com.google.inject.Module;

/** The message store chosen by {@code mailbox.store} in {@code conf/mailbox.properties}. */
public enum MailboxStoreKind {
    ROCKSDB(RocksDbMailboxStoreModule::new),
    JPA(JpaMailboxStoreModule::new);

    static final String PROPERTY = "mailbox.store";

    private final Supplier<Module> module;

    MailboxStoreKind(Supplier<Module> module) {
        this.module = module;
    }

    public Module module() {
        return module.get();
    }

    /** The store configured in {@code confDirectory}; RocksDB when the file or the property is absent. */
    public static MailboxStoreKind configuredIn(Path confDirectory) throws IOException {
        String value = MailboxProperties.read(confDirectory).getProperty(PROPERTY, ROCKSDB.name()).trim();
        return Arrays.stream(values())
            .filter(kind -> kind.name().equalsIgnoreCase(value))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(confDirectory.resolve(MailboxProperties.FILE) + ": " + PROPERTY + "=" + value
                + " is not a message store; use " + ROCKSDB.name().toLowerCase(Locale.ROOT)
                + " or " + JPA.name().toLowerCase(Locale.ROOT)));
    }
}
