package org.switchboard.server.mailbox.migration;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.utils.PropertiesProvider;
import org.switchboard.mailbox.store.RocksDbMailboxStore;
import org.switchboard.server.mailbox.OpenMailboxStore;
import org.switchboard.server.persistence.JpaPersistenceModule;

/**
 * {@code bin/switchboard migrate-mailboxes}: moves the mailboxes of James' JPA store (the database of
 * {@code conf/james-database.properties}) into the RocksDB store under {@code var/store/mailbox}, then chooses RocksDB
 * in {@code conf/mailbox.properties} (see {@link MailboxMigration}). Run with the server stopped: both stores are
 * opened by one process at a time (embedded Derby and RocksDB lock their files), so a running server makes it fail
 * before anything is read.
 */
public final class MigrateMailboxesCommand {
    static final int MIGRATED = 0;
    static final int NOT_MIGRATED = 1;
    static final int USAGE = 2;

    private MigrateMailboxesCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out));
    }

    static int run(List<String> args, PrintStream out) {
        if (!args.isEmpty()) {
            out.println("usage: bin/switchboard migrate-mailboxes   (no arguments; the server must be stopped)");
            return USAGE;
        }
        try {
            Configuration configuration = Configuration.builder().useWorkingDirectoryEnvProperty().build();
            FileSystem fileSystem = new FileSystemImpl(configuration.directories());
            Path confDirectory = Path.of(configuration.directories().getConfDirectory());
            Path storeDirectory = fileSystem.getFile(OpenMailboxStore.STORE_LOCATION).toPath();
            Path stateFile = fileSystem.getFile(MigrationState.LOCATION).toPath();
            PropertiesProvider properties = new PropertiesProvider(fileSystem, configuration.configurationPath());
            out.println("Migrating the mailboxes of the JPA store (conf/james-database.properties) to the RocksDB store ("
                + storeDirectory + ")");
            try (JpaMailboxSource source = new JpaMailboxSource(JpaPersistenceModule.createEntityManagerFactory(properties));
                 RocksDbMailboxStore store = RocksDbMailboxStore.open(storeDirectory)) {
                return new MailboxMigration(source, store, systemSession(), stateFile, confDirectory, out,
                    Clock.systemUTC()).run();
            }
        } catch (Exception | LinkageError e) {
            out.println("Not migrated: " + reason(e));
            out.println("Is the server stopped (bin/switchboard stop)? Nothing was switched; run the command again "
                + "once the cause is fixed: it resumes where it stopped.");
            e.printStackTrace(System.err);
            return NOT_MIGRATED;
        }
    }

    private static MailboxSession systemSession() {
        return new MailboxSession(MailboxSession.SessionId.of(0), Username.of("switchboard-mailbox-migration"),
            Optional.empty(), List.of(), '.', MailboxSession.SessionType.System);
    }

    /** The deepest message: Derby's "Another instance of Derby may have already booted the database", say. */
    private static String reason(Throwable failure) {
        String reason = failure.toString();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null) {
                reason = cause.getMessage();
            }
        }
        return reason;
    }
}
