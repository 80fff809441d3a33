package org.switchboard.server.persistence;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.ex.ConfigurationException;

import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryFactory;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.jpa.JPAMailRepositoryFactory;

/** James' {@link JPAMailRepositoryFactory}, creating {@link JpaColumnFittingMailRepository}s. */
public class JpaColumnFittingMailRepositoryFactory implements MailRepositoryFactory {
    private final EntityManagerFactory entityManagerFactory;

    @Inject
    public JpaColumnFittingMailRepositoryFactory(EntityManagerFactory entityManagerFactory) {
        this.entityManagerFactory = entityManagerFactory;
    }

    @Override
    public Class<? extends MailRepository> mailRepositoryClass() {
        return JpaColumnFittingMailRepository.class;
    }

    @Override
    public MailRepository create(MailRepositoryUrl url) {
        try {
            return new JpaColumnFittingMailRepository(entityManagerFactory, url);
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
