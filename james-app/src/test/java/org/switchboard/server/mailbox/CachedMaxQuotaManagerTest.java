package org.switchboard.server.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import javax.persistence.EntityManagerFactory;
import javax.persistence.Persistence;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaDAO;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.MaxQuotaManager.QuotaDetails;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

/** The quota limits cache on a real, in-memory Derby: answered from memory, a change seen at once. */
class CachedMaxQuotaManagerTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final QuotaRoot ALICE = QuotaRoot.quotaRoot("#private&alice@example.com", Optional.of(Domain.of("example.com")));

    static {
        // Derby's own log goes with the build's output, not into the module's folder
        System.setProperty("derby.stream.error.file", "target/derby.log");
    }

    private EntityManagerFactory entityManagerFactory;
    private CachedMaxQuotaManager limits;

    @BeforeEach
    void open() {
        entityManagerFactory = Persistence.createEntityManagerFactory("Global", Map.of(
            "openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver",
            "openjpa.ConnectionURL", "jdbc:derby:memory:quota" + DATABASES.incrementAndGet() + ";create=true"));
        limits = new CachedMaxQuotaManager(entityManagerFactory, new JPAPerUserMaxQuotaDAO(entityManagerFactory));
    }

    @AfterEach
    void close() {
        if (entityManagerFactory.isOpen()) {
            entityManagerFactory.close();
        }
    }

    @Test
    void aChangedLimitIsSeenAtOnceByTheDeliveryPath() {
        assertThat(storage(details())).isEmpty();

        limits.setMaxStorage(ALICE, QuotaSizeLimit.size(1000));
        assertThat(storage(details())).containsEntry(Quota.Scope.User, QuotaSizeLimit.size(1000));

        limits.setDomainMaxStorage(Domain.of("example.com"), QuotaSizeLimit.size(5000));
        assertThat(storage(details())).containsEntry(Quota.Scope.Domain, QuotaSizeLimit.size(5000));

        Mono.from(limits.removeMaxStorageReactive(ALICE)).block();
        assertThat(storage(details())).doesNotContainKey(Quota.Scope.User);
        assertThat(limits.listMaxStorageDetails(ALICE)).isEqualTo(storage(details()));
    }

    @Test
    void anUnchangedLimitIsAnsweredWithoutTheDatabase() {
        limits.setGlobalMaxStorage(QuotaSizeLimit.size(2000));
        assertThat(storage(details())).containsEntry(Quota.Scope.Global, QuotaSizeLimit.size(2000));

        entityManagerFactory.close();

        assertThat(storage(details())).as("from memory").containsEntry(Quota.Scope.Global, QuotaSizeLimit.size(2000));
    }

    @Test
    void aQuotaRootNeverAskedForIsAnsweredWithoutTheDatabase() {
        QuotaRoot bob = QuotaRoot.quotaRoot("#private&bob@example.com", Optional.of(Domain.of("example.com")));
        QuotaRoot carol = QuotaRoot.quotaRoot("#private&carol@other.example", Optional.of(Domain.of("other.example")));
        limits.setGlobalMaxMessage(QuotaCountLimit.count(100));
        limits.setDomainMaxStorage(Domain.of("example.com"), QuotaSizeLimit.size(5000));
        limits.setMaxStorage(bob, QuotaSizeLimit.unlimited());
        assertThat(storage(details())).containsEntry(Quota.Scope.Domain, QuotaSizeLimit.size(5000));

        entityManagerFactory.close();

        QuotaDetails ofBob = Mono.from(limits.quotaDetailsReactive(bob)).block();
        assertThat(ofBob.getMaxStorageDetails()).containsExactly(
            Map.entry(Quota.Scope.User, QuotaSizeLimit.unlimited()), Map.entry(Quota.Scope.Domain, QuotaSizeLimit.size(5000)));
        assertThat(ofBob.getMaxMessageDetails()).containsExactly(Map.entry(Quota.Scope.Global, QuotaCountLimit.count(100)));
        assertThat(limits.listMaxStorageDetails(carol)).as("another domain").isEmpty();
        assertThat(limits.listMaxMessagesDetails(carol)).containsEntry(Quota.Scope.Global, QuotaCountLimit.count(100));
    }

    private QuotaDetails details() {
        return Mono.from(limits.quotaDetailsReactive(ALICE)).block();
    }

    private static Map<Quota.Scope, QuotaSizeLimit> storage(QuotaDetails details) {
        return details.getMaxStorageDetails();
    }
}
