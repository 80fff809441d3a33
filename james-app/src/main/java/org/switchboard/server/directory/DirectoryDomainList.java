package org.switchboard.server.directory;

import java.time.Duration;
import java.util.Set;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.user.api.UsersRepositoryException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * James' domain list (kept in the SQL database, as without a directory) that also gives each new domain its
 * {@code dc=} branch in the directory, so that {@code james-cli AddDomain} prepares the DIT for the domain's people.
 * The branch is created first: a domain never exists in James without a place for its users. A domain is usable
 * at once after it is added, whatever James' domain cache said before.
 *
 * <p>"Is this domain local?" is asked for every recipient, mostly of remote domains. James' cache keeps each answer
 * for its expiry ({@code domainlist.xml}) and then asks the database again, domain by domain; here such a question is
 * answered from the list of local domains, read whole (one query) at most once per {@link #LIST_EXPIRY}, and read
 * again at once after a domain is added or removed through this list.
 */
public class DirectoryDomainList extends JPADomainList {
    static final Duration LIST_EXPIRY = Duration.ofSeconds(10);

    private final DirectoryUsersDAO directory;
    private final Cache<Boolean, Set<Domain>> localDomains = Caffeine.newBuilder()
        .expireAfterWrite(LIST_EXPIRY)
        .build();

    @Inject
    public DirectoryDomainList(DNSService dns, EntityManagerFactory entityManagerFactory, DirectoryUsersDAO directory) {
        super(dns, entityManagerFactory);
        this.directory = directory;
    }

    @Override
    protected boolean containsDomainInternal(Domain domain) throws DomainListException {
        try {
            // computed under the entry's lock: an invalidation made meanwhile waits, then drops what was read
            return localDomains.get(Boolean.TRUE, any -> readLocalDomains()).contains(domain);
        } catch (UncheckedDomainListException e) {
            throw e.getCause();
        }
    }

    private Set<Domain> readLocalDomains() {
        try {
            return Set.copyOf(getDomainListInternal());
        } catch (DomainListException e) {
            throw new UncheckedDomainListException(e);
        }
    }

    @Override
    public void doRemoveDomain(Domain domain) throws DomainListException {
        try {
            super.doRemoveDomain(domain);
        } finally {
            localDomains.invalidateAll();
        }
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        try {
            directory.ensureDomain(domain.asString());
        } catch (UsersRepositoryException e) {
            throw new DomainListException("Cannot create the directory branch of " + domain.asString(), e);
        }
        try {
            super.addDomain(domain);
        } finally {
            localDomains.invalidateAll();
        }
        // James caches "unknown domain" answers (domainlist.xml, 10 s), e.g. from the postmaster check at start: a
        // new domain would be refused to AddUser for that long. Listing the domains refreshes their cache entries.
        getDomains();
    }

    private static final class UncheckedDomainListException extends RuntimeException {
        UncheckedDomainListException(DomainListException cause) {
            super(cause);
        }

        @Override
        public synchronized DomainListException getCause() {
            return (DomainListException) super.getCause();
        }
    }
}
