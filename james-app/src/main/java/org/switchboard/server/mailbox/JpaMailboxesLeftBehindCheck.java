package org.switchboard.server.mailbox;

import java.io.IOException;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.core.Username;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.switchboard.server.mailbox.migration.MigrateMailboxesCommand;
import org.switchboard.server.mailbox.migration.MigrationState;

/**
 * Refuses to start the RocksDB message store empty over an installation whose mail is in James' JPA mailbox (an
 * installation from before the RocksDB store, or one switched from {@code mailbox.store=jpa}): its users would log
 * in to empty mailboxes while their mail sits unseen in the SQL database. The administrator moves the mail with
 * {@code bin/switchboard migrate-mailboxes} ({@link MigrateMailboxesCommand}) or keeps {@code mailbox.store=jpa}.
 * It also refuses a RocksDB store that holds a migration's partial copy: mail delivered to it would be in neither
 * store's complete copy.
 */
public class JpaMailboxesLeftBehindCheck implements StartUpCheck {
    static final String NAME = "jpa-mailboxes-left-behind";
    // James' JPA mailbox keeps each message in a row of this table
    private static final String JPA_MESSAGES = "SELECT COUNT(*) FROM JAMES_MAIL";

    private final EntityManagerFactory entityManagerFactory;
    private final MailboxSessionMapperFactory store;
    private final SessionProvider sessions;
    private final FileSystem fileSystem;

    @Inject
    public JpaMailboxesLeftBehindCheck(EntityManagerFactory entityManagerFactory, MailboxSessionMapperFactory store,
                                       SessionProvider sessions, FileSystem fileSystem) {
        this.entityManagerFactory = entityManagerFactory;
        this.store = store;
        this.sessions = sessions;
        this.fileSystem = fileSystem;
    }

    @Override
    public CheckResult check() {
        if (migrationUnderWay()) {
            return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD)
                .description("A migration of the mailboxes from the JPA message store to the RocksDB message store "
                    + "was started and is not complete (var/store/mailbox-migration.properties): the RocksDB store "
                    + "holds a partial copy. Run bin/switchboard migrate-mailboxes to complete it, or set "
                    + "mailbox.store=jpa in conf/mailbox.properties to keep serving the mail from the JPA store.")
                .build();
        }
        // the store is looked at first: once it holds a mailbox, no start asks the SQL database again
        long jpaMessages = storeIsEmpty() ? jpaMessages() : 0;
        if (jpaMessages > 0) {
            return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD)
                .description("conf/mailbox.properties chooses the RocksDB message store, which is empty, but "
                    + jpaMessages + " messages of this installation are in the JPA message store (the database of "
                    + "conf/james-database.properties). Run bin/switchboard migrate-mailboxes (server stopped) to "
                    + "move them to the RocksDB store: it copies and verifies every mailbox, keeping UIDs, then "
                    + "chooses RocksDB. Or set mailbox.store=jpa in conf/mailbox.properties to keep serving them "
                    + "from the JPA store.")
                .build();
        }
        return CheckResult.builder().checkName(NAME).resultType(ResultType.GOOD).build();
    }

    private boolean migrationUnderWay() {
        try {
            return MigrationState.of(fileSystem).map(state -> state.phase() == MigrationState.Phase.COPYING).orElse(false);
        } catch (IOException unreadable) {
            // a damaged state file: the migration command says what is wrong with it
            return true;
        }
    }

    @Override
    public String checkName() {
        return NAME;
    }

    private long jpaMessages() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return ((Number) entityManager.createNativeQuery(JPA_MESSAGES).getSingleResult()).longValue();
        } catch (PersistenceException noSuchTable) {
            // a database that never held James' JPA mailbox
            return 0;
        } finally {
            entityManager.close();
        }
    }

    private boolean storeIsEmpty() {
        MailboxSession session = sessions.createSystemSession(Username.of("switchboard-start-up-check"));
        return !store.getMailboxMapper(session).list().hasElements().block();
    }
}
