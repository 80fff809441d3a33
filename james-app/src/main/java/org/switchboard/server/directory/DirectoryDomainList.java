package org.switchboard.server.directory;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.domainlist.jpa.JPADomainList;
import org.apache.james.user.api.UsersRepositoryException;

/**
 * James' domain list (kept in the SQL database, as without a directory) that also gives each new domain its
 * {@code dc=} branch in the directory, so that {@code james-cli AddDomain} prepares the DIT for the domain's people.
 * The branch is created first: a domain never exists in James without a place for its users. A domain is usable
 * at once after it is added, whatever James' domain cache said before.
 */
public class DirectoryDomainList extends JPADomainList {
    private final DirectoryUsersDAO directory;

    @Inject
    public DirectoryDomainList(DNSService dns, EntityManagerFactory entityManagerFactory, DirectoryUsersDAO directory) {
        super(dns, entityManagerFactory);
        this.directory = directory;
    }

    @Override
    public void addDomain(Domain domain) throws DomainListException {
        try {
            directory.ensureDomain(domain.asString());
        } catch (UsersRepositoryException e) {
            throw new DomainListException("Cannot create the directory branch of " + domain.asString(), e);
        }
        super.addDomain(domain);
        // James caches "unknown domain" answers (domainlist.xml, 10 s), e.g. from the postmaster check at start: a
        // new domain would be refused to AddUser for that long. Listing the domains refreshes their cache entries.
        getDomains();
    }
}
