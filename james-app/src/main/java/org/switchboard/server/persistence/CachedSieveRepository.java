package org.switchboard.server.persistence;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.persistence.EntityManager;
import javax.persistence.EntityManagerFactory;

import org.apache.james.core.Username;
import org.apache.james.sieve.jpa.JPASieveRepository;
import org.apache.james.sieverepository.api.ScriptContent;
import org.apache.james.sieverepository.api.ScriptName;
import org.apache.james.sieverepository.api.exception.DuplicateException;
import org.apache.james.sieverepository.api.exception.IsActiveException;
import org.apache.james.sieverepository.api.exception.QuotaExceededException;
import org.apache.james.sieverepository.api.exception.ScriptNotFoundException;
import org.apache.james.sieverepository.api.exception.StorageException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * James' JPA Sieve repository, answering "the active script of this user" from memory.
 *
 * <p>The {@code Sieve} mailet asks for the active script (and its activation date) of every recipient of every
 * delivered mail: two SQL queries per recipient, which for most users find no script. Who has an active script is
 * read whole (one query, a short list), so a user without one costs no query even at the first mail after a start;
 * the scripts of those who have one are kept per user. Both are kept until scripts change through this repository
 * (ManageSieve, WebAdmin and the CLI all use it); the expiry bounds changes made in the database behind its back.
 */
public class CachedSieveRepository extends JPASieveRepository {
    private static final Duration EXPIRY = Duration.ofMinutes(10);

    private static final String OWNERS_OF_ACTIVE_SCRIPTS =
        "SELECT DISTINCT script.username FROM JamesSieveScript script WHERE script.isActive = true";

    private final EntityManagerFactory entityManagerFactory;
    private final Cache<Username, Optional<ActiveScript>> active = Caffeine.newBuilder()
        .maximumSize(100_000)
        .expireAfterWrite(EXPIRY)
        .build();
    private final Cache<Boolean, Set<Username>> owners = Caffeine.newBuilder()
        .expireAfterWrite(EXPIRY)
        .build();

    @Inject
    public CachedSieveRepository(EntityManagerFactory entityManagerFactory) {
        super(entityManagerFactory);
        this.entityManagerFactory = entityManagerFactory;
    }

    @Override
    public ZonedDateTime getActivationDateForActiveScript(Username username) throws StorageException, ScriptNotFoundException {
        return activeScript(username).activation();
    }

    @Override
    public InputStream getActive(Username username) throws ScriptNotFoundException, StorageException {
        return new ByteArrayInputStream(activeScript(username).content());
    }

    private ActiveScript activeScript(Username username) throws StorageException, ScriptNotFoundException {
        Optional<ActiveScript> known = active.getIfPresent(username);
        if (known == null) {
            known = load(username);
            active.put(username, known);
        }
        return known.orElseThrow(() -> new ScriptNotFoundException("No active script for " + username.asString()));
    }

    private Optional<ActiveScript> load(Username username) throws StorageException {
        if (!owners.get(Boolean.TRUE, any -> ownersOfActiveScripts()).contains(username)) {
            return Optional.empty();
        }
        try (InputStream script = super.getActive(username)) {
            return Optional.of(new ActiveScript(super.getActivationDateForActiveScript(username), script.readAllBytes()));
        } catch (ScriptNotFoundException none) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the active Sieve script of " + username.asString(), e);
        }
    }

    private Set<Username> ownersOfActiveScripts() {
        EntityManager entityManager = entityManagerFactory.createEntityManager();
        try {
            return entityManager.createQuery(OWNERS_OF_ACTIVE_SCRIPTS, String.class).getResultList().stream()
                .map(Username::of)
                .collect(Collectors.toUnmodifiableSet());
        } finally {
            entityManager.close();
        }
    }

    @Override
    public void putScript(Username username, ScriptName name, ScriptContent content) throws StorageException, QuotaExceededException {
        try {
            super.putScript(username, name, content);
        } finally {
            changed(username);
        }
    }

    @Override
    public void setActive(Username username, ScriptName name) throws ScriptNotFoundException, StorageException {
        try {
            super.setActive(username, name);
        } finally {
            changed(username);
        }
    }

    @Override
    public void deleteScript(Username username, ScriptName name) throws ScriptNotFoundException, IsActiveException, StorageException {
        try {
            super.deleteScript(username, name);
        } finally {
            changed(username);
        }
    }

    @Override
    public void renameScript(Username username, ScriptName oldName, ScriptName newName) throws ScriptNotFoundException, DuplicateException, StorageException {
        try {
            super.renameScript(username, oldName, newName);
        } finally {
            changed(username);
        }
    }

    private void changed(Username username) {
        owners.invalidateAll();
        active.invalidate(username);
    }

    private record ActiveScript(ZonedDateTime activation, byte[] content) {
    }
}
