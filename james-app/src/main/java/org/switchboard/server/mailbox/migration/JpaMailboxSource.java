package org.switchboard.server.mailbox.migration;

import java.util.Comparator;
import java.util.List;

import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.jpa.JPAMailboxSessionMapperFactory;
import org.apache.james.mailbox.jpa.mail.JPAModSeqProvider;
import org.apache.james.mailbox.jpa.mail.JPAUidProvider;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;

/**
 * James' JPA mailbox store ({@code mailbox.store=jpa}), read through its own mappers in the database of
 * {@code conf/james-database.properties}. Nothing is written to it.
 */
final class JpaMailboxSource implements AutoCloseable {
    // James' JPA subscription mapper finds subscriptions per user only: this lists the users (JPQL, not SQL)
    private static final String SUBSCRIBERS = "SELECT DISTINCT subscription.username FROM Subscription subscription";

    private final EntityManagerFactory entityManagerFactory;
    private final JPAMailboxSessionMapperFactory mappers;

    JpaMailboxSource(EntityManagerFactory entityManagerFactory) {
        this.entityManagerFactory = entityManagerFactory;
        this.mappers = new JPAMailboxSessionMapperFactory(entityManagerFactory,
            new JPAUidProvider(entityManagerFactory), new JPAModSeqProvider(entityManagerFactory));
    }

    JPAMailboxSessionMapperFactory mappers() {
        return mappers;
    }

    /** Every mailbox, parents before their children. */
    List<Mailbox> mailboxes(MailboxSession session) {
        return mappers.createMailboxMapper(session).list()
            .collectSortedList(Comparator.comparing((Mailbox mailbox) -> mailbox.getUser().asString())
                .thenComparing(Mailbox::getNamespace)
                .thenComparing(Mailbox::getName))
            .block();
    }

    List<Username> subscribers() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return entityManager.createQuery(SUBSCRIBERS, String.class).getResultList().stream()
                .map(Username::of)
                .sorted(Comparator.comparing(Username::asString))
                .toList();
        } finally {
            entityManager.close();
        }
    }

    List<Subscription> subscriptions(MailboxSession session, Username user) throws MailboxException {
        SubscriptionMapper mapper = mappers.createSubscriptionMapper(session);
        try {
            return mapper.findSubscriptionsForUser(user);
        } finally {
            mapper.endRequest();
        }
    }

    @Override
    public void close() {
        entityManagerFactory.close();
    }
}
