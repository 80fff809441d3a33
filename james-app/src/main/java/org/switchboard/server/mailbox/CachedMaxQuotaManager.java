package org.switchboard.server.mailbox;

import java.time.Duration;
import java.util.Map;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaDAO;
import org.apache.james.mailbox.jpa.quota.JPAPerUserMaxQuotaManager;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.reactivestreams.Publisher;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import reactor.core.publisher.Mono;

/**
 * James' JPA quota limits, with the limits of a quota root answered from memory until a limit changes.
 *
 * <p>Every delivered message checks its recipient's quota: six SQL queries (user, domain and global limits, for
 * count and size) per copy, the largest database cost of a delivery once messages are in the RocksDB store. Limits
 * change rarely and only through this manager (James' CLI, WebAdmin): every setter and remover here empties the
 * cache (the reactive ones run the synchronous ones in James' JPA class). The expiry bounds changes made in the
 * database behind the server's back.
 */
public class CachedMaxQuotaManager extends JPAPerUserMaxQuotaManager {
    private static final Duration EXPIRY = Duration.ofMinutes(10);

    private final Cache<QuotaRoot, QuotaDetails> limits = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(EXPIRY)
        .build();

    @Inject
    public CachedMaxQuotaManager(EntityManagerFactory entityManagerFactory, JPAPerUserMaxQuotaDAO dao) {
        super(entityManagerFactory, dao);
    }

    @Override
    public Publisher<QuotaDetails> quotaDetailsReactive(QuotaRoot quotaRoot) {
        QuotaDetails known = limits.getIfPresent(quotaRoot);
        if (known != null) {
            return Mono.just(known);
        }
        return Mono.from(super.quotaDetailsReactive(quotaRoot))
            .doOnNext(details -> limits.put(quotaRoot, details));
    }

    @Override
    public QuotaDetails quotaDetails(QuotaRoot quotaRoot) {
        return limits.get(quotaRoot, root -> new QuotaDetails(super.listMaxMessagesDetails(root), super.listMaxStorageDetails(root)));
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

    /** Domain and global limits count for many quota roots: any change empties the whole cache. */
    private void changed(Runnable change) {
        try {
            change.run();
        } finally {
            limits.invalidateAll();
        }
    }
}
