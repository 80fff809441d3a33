package org.switchboard.server.mailbox;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaDAO;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.jpa.quota.model.MaxGlobalMessageCount;
import org.apache.james.mailbox.jpa.quota.model.MaxGlobalStorage;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.reactivestreams.Publisher;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.common.collect.ImmutableMap;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James' JPA quota limits, answered from memory until a limit changes.
 *
 * <p>Every delivered message checks its recipient's quota: six SQL queries (user, domain and global limits, for
 * count and size) per copy, the largest database cost of a delivery once messages are in the RocksDB store. Limits
 * are few (only users and domains given one have a row) and change rarely, only through this manager (James' CLI,
 * WebAdmin): the six tables are read whole, so even a recipient's first mail after a start costs no query, and
 * every setter and remover here drops them (the reactive ones run the synchronous ones in James' JPA class). The
 * expiry bounds changes made in the database behind the server's back.
 */
public class CachedMaxQuotaManager extends JPAPerUserMaxQuotaManager {
    private static final Duration EXPIRY = Duration.ofMinutes(10);
    // James' JPA encoding of "unlimited"
    private static final long UNLIMITED = -1;

    private final EntityManagerFactory entityManagerFactory;
    private final Cache<Boolean, Limits> limits = Caffeine.newBuilder()
        .expireAfterWrite(EXPIRY)
        .build();

    @Inject
    public CachedMaxQuotaManager(EntityManagerFactory entityManagerFactory, JPAPerUserMaxQuotaDAO dao) {
        super(entityManagerFactory, dao);
        this.entityManagerFactory = entityManagerFactory;
    }

    @Override
    public Publisher<QuotaDetails> quotaDetailsReactive(QuotaRoot quotaRoot) {
        Limits known = limits.getIfPresent(Boolean.TRUE);
        if (known != null) {
            return Mono.just(known.of(quotaRoot));
        }
        return Mono.fromCallable(() -> quotaDetails(quotaRoot)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public QuotaDetails quotaDetails(QuotaRoot quotaRoot) {
        return limits.get(Boolean.TRUE, any -> readLimits()).of(quotaRoot);
    }

    @Override
    public Map<Quota.Scope, QuotaCountLimit> listMaxMessagesDetails(QuotaRoot quotaRoot) {
        return quotaDetails(quotaRoot).getMaxMessageDetails();
    }

    @Override
    public Map<Quota.Scope, QuotaSizeLimit> listMaxStorageDetails(QuotaRoot quotaRoot) {
        return quotaDetails(quotaRoot).getMaxStorageDetails();
    }

    @Override
    public void setMaxStorage(QuotaRoot quotaRoot, QuotaSizeLimit maxStorageQuota) {
        changed(() -> super.setMaxStorage(quotaRoot, maxStorageQuota));
    }

    @Override
    public void setMaxMessage(QuotaRoot quotaRoot, QuotaCountLimit maxMessageCount) {
        changed(() -> super.setMaxMessage(quotaRoot, maxMessageCount));
    }

    @Override
    public void removeMaxStorage(QuotaRoot quotaRoot) {
        changed(() -> super.removeMaxStorage(quotaRoot));
    }

    @Override
    public void removeMaxMessage(QuotaRoot quotaRoot) {
        changed(() -> super.removeMaxMessage(quotaRoot));
    }

    @Override
    public void setDomainMaxMessage(Domain domain, QuotaCountLimit count) {
        changed(() -> super.setDomainMaxMessage(domain, count));
    }

    @Override
    public void setDomainMaxStorage(Domain domain, QuotaSizeLimit size) {
        changed(() -> super.setDomainMaxStorage(domain, size));
    }

    @Override
    public void removeDomainMaxMessage(Domain domain) {
        changed(() -> super.removeDomainMaxMessage(domain));
    }

    @Override
    public void removeDomainMaxStorage(Domain domain) {
        changed(() -> super.removeDomainMaxStorage(domain));
    }

    @Override
    public void setGlobalMaxStorage(QuotaSizeLimit globalMaxStorage) {
        changed(() -> super.setGlobalMaxStorage(globalMaxStorage));
    }

    @Override
    public void setGlobalMaxMessage(QuotaCountLimit globalMaxMessageCount) {
        changed(() -> super.setGlobalMaxMessage(globalMaxMessageCount));
    }

    @Override
    public void removeGlobalMaxStorage() {
        changed(super::removeGlobalMaxStorage);
    }

    @Override
    public void removeGlobalMaxMessage() {
        changed(super::removeGlobalMaxMessage);
    }

    /** Domain and global limits count for many quota roots: any change drops them all. */
    private void changed(Runnable change) {
        try {
            change.run();
        } finally {
            limits.invalidateAll();
        }
    }

    private Limits readLimits() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return new Limits(
                rows(entityManager, "MaxUserMessageCount", "quotaRoot"), rows(entityManager, "MaxUserStorage", "quotaRoot"),
                rows(entityManager, "MaxDomainMessageCount", "domain"), rows(entityManager, "MaxDomainStorage", "domain"),
                rows(entityManager, "MaxGlobalMessageCount", "quotaRoot").get(MaxGlobalMessageCount.DEFAULT_KEY),
                rows(entityManager, "MaxGlobalStorage", "quotaRoot").get(MaxGlobalStorage.DEFAULT_KEY));
        } finally {
            entityManager.close();
        }
    }

    /** The rows of one of James' limit tables: key to value (a row without a value is no limit). */
    private static Map<String, Long> rows(EntityManager entityManager, String entity, String key) {
        Map<String, Long> values = new HashMap<>();
        for (Object[] row : entityManager.createQuery("SELECT row." + key + ", row.value FROM " + entity + " row",
                Object[].class).getResultList()) {
            if (row[1] != null) {
                values.put((String) row[0], (Long) row[1]);
            }
        }
        return values;
    }

    /** Every limit there is; a quota root's are its own, its domain's and the global ones, in that order. */
    private record Limits(Map<String, Long> userCounts, Map<String, Long> userSizes, Map<String, Long> domainCounts,
                          Map<String, Long> domainSizes, Long globalCount, Long globalSize) {
        QuotaDetails of(QuotaRoot root) {
            String domain = root.getDomain().map(Domain::asString).orElse(null);
            return new QuotaDetails(
                scoped(userCounts.get(root.getValue()), domain == null ? null : domainCounts.get(domain), globalCount,
                    value -> value == UNLIMITED ? QuotaCountLimit.unlimited() : QuotaCountLimit.count(value)),
                scoped(userSizes.get(root.getValue()), domain == null ? null : domainSizes.get(domain), globalSize,
                    value -> value == UNLIMITED ? QuotaSizeLimit.unlimited() : QuotaSizeLimit.size(value)));
        }

        private static <T> Map<Quota.Scope, T> scoped(Long user, Long domain, Long global, LongFunction<T> limit) {
            ImmutableMap.Builder<Quota.Scope, T> scoped = ImmutableMap.builder();
            if (user != null) {
                scoped.put(Quota.Scope.User, limit.apply(user));
            }
            if (domain != null) {
                scoped.put(Quota.Scope.Domain, limit.apply(domain));
            }
            if (global != null) {
                scoped.put(Quota.Scope.Global, limit.apply(global));
            }
            return scoped.build();
        }
    }
}
