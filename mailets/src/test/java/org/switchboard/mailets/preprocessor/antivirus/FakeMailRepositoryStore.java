package org.switchboard.mailets.preprocessor.antivirus;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MemoryMailRepository;

/**
 * James' in-memory mail repositories, one per URL, as the server's store hands them out. Public: the integration tests
 * use it through this module's test-jar.
 */
public final class FakeMailRepositoryStore implements MailRepositoryStore {
    final Map<MailRepositoryUrl, MailRepository> repositories = new ConcurrentHashMap<>();
    volatile boolean broken;

    @Override
    public MailRepository select(MailRepositoryUrl url) throws MailRepositoryStoreException {
        if (broken) {
            throw new MailRepositoryStoreException("no repository for protocol " + url.getProtocol().getValue());
        }
        return repositories.computeIfAbsent(url, any -> new MemoryMailRepository());
    }

    @Override
    public Optional<Protocol> defaultProtocol() {
        return Optional.of(new Protocol("memory"));
    }

    @Override
    public Optional<MailRepository> get(MailRepositoryUrl url) {
        return Optional.ofNullable(repositories.get(url));
    }

    @Override
    public Stream<MailRepository> getByPath(MailRepositoryPath path) {
        return repositories.entrySet().stream().filter(entry -> entry.getKey().getPath().equals(path))
            .map(Map.Entry::getValue);
    }

    @Override
    public Stream<MailRepositoryUrl> getUrls() {
        return repositories.keySet().stream();
    }
}
