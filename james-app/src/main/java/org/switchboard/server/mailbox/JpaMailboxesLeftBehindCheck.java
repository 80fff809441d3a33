package org.switchboard.server.mailbox;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;
import javax.persistence.PersistenceException;

import org.apache.james.core.Username;
import org.apache.james.lifecycle.api.StartUpCheck;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;

/**
 * Refuses to start the RocksDB message store empty over an installation whose mail is in James' JPA mailbox (an
 * installation from before the RocksDB store, or one switched from {@code mailbox.store=jpa}): its users would log
 * in to empty mailboxes while their mail sits unseen in the SQL database. There is no copy from one store to the
 * other yet: the administrator keeps {@code mailbox.store=jpa}.
 */
public class JpaMailboxesLeftBehindCheck implements StartUpCheck {
    static final String NAME = "jpa-mailboxes-left-behind";
    // James' JPA mailbox keeps each message in a row of this table
    private static final String JPA_MESSAGES = "SELECT COUNT(*) FROM JAMES_MAIL";

    private final EntityManagerFactory entityManagerFactory;
    private final MailboxSessionMapperFactory store;
    private final SessionProvider sessions;

    @Inject
    public JpaMailboxesLeftBehindCheck(EntityManagerFactory entityManagerFactory, MailboxSessionMapperFactory store,
                                       SessionProvider sessions) {
        this.entityManagerFactory = entityManagerFactory;
        this.store = store;
        this.sessions = sessions;
    }

    @Override
    public CheckResult check() {
        // the store is looked at first: once it holds a mailbox, no start asks the SQL database again
        long jpaMessages = storeIsEmpty() ? jpaMessages() : 0;
        if (jpaMessages > 0) {
            return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD)
                .description("conf/mailbox.properties chooses the RocksDB message store, which is empty, but "
                    + jpaMessages + " messages of this installation are in the JPA message store (the database of "
                    + "conf/james-database.properties). Set mailbox.store=jpa in conf/mailbox.properties to keep "
                    + "serving them; moving them to RocksDB is not available yet.")
                .build();
        }
        return CheckResult.builder().checkName(NAME).resultType(ResultType.GOOD).build();
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
