package org.switchboard.mailets.lists;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * Posts held for moderation, durably, in the server's mail repository {@value #URL}, each under the token of its
 * pending {@link ListRequest} ({@link ListRequest.Type#POST}). The repository is chosen at first use, when the
 * server's repositories are ready.
 */
@Singleton
public class HeldPosts {
    public static final String URL = "jpa://var/mail/lists-held/";
    /** How long a post stays held by default ({@link ListModeration}'s {@code holdTimeout}). */
    public static final long DEFAULT_TIMEOUT_DAYS = 14;
    private static final AttributeName EXPIRES = AttributeName.of("org.switchboard.lists.heldUntil");

    private final MailRepositoryStore store;
    private MailRepository repository;

    @Inject
    public HeldPosts(MailRepositoryStore store) {
        this.store = store;
    }

    /** Held posts in that repository. */
    public HeldPosts(MailRepository repository) {
        this.store = null;
        this.repository = repository;
    }

    private synchronized MailRepository repository() throws MessagingException {
        if (repository == null) {
            try {
                repository = store.select(MailRepositoryUrl.from(URL));
            } catch (MailRepositoryStore.MailRepositoryStoreException e) {
                throw new MessagingException("Lists: cannot open the repository of held posts " + URL, e);
            }
        }
        return repository;
    }

    /** Keeps a copy of the mail under the token, until {@code expires} ({@link HeldPostExpiry}). */
    public void hold(String token, Mail mail, Instant expires) throws MessagingException {
        Mail copy = mail.duplicate();
        try {
            copy.setName(token);
            copy.setAttribute(new Attribute(EXPIRES, AttributeValue.of(expires.toString())));
            repository().store(copy);
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    /** The post held under the token, no longer held; empty when there is none. */
    public Optional<Mail> take(String token) throws MessagingException {
        MailKey key = new MailKey(token);
        Mail held = repository().retrieve(key);
        if (held == null) {
            return Optional.empty();
        }
        repository().remove(key);
        return Optional.of(held);
    }

    /**
     * When the post held under the token expires; empty when none is held. A post held before expiry instants were
     * recorded expires {@value #DEFAULT_TIMEOUT_DAYS} days after it was held.
     */
    public Optional<Instant> expires(String token) throws MessagingException {
        Mail held = repository().retrieve(new MailKey(token));
        if (held == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(held.getAttribute(EXPIRES).map(attribute -> attribute.getValue().value().toString())
                .map(Instant::parse)
                .orElseGet(() -> Optional.ofNullable(held.getLastUpdated()).map(Date::toInstant).orElse(Instant.EPOCH)
                    .plus(Duration.ofDays(DEFAULT_TIMEOUT_DAYS))));
        } finally {
            LifecycleUtil.dispose(held);
        }
    }

    /** The tokens of every held post. */
    public List<String> tokens() throws MessagingException {
        List<String> tokens = new ArrayList<>();
        repository().list().forEachRemaining(key -> tokens.add(key.asString()));
        return tokens;
    }

    /** The held posts, each as token, sender and recipients. */
    public List<String> describe() throws MessagingException {
        List<String> lines = new ArrayList<>();
        for (Iterator<MailKey> keys = repository().list(); keys.hasNext(); ) {
            MailKey key = keys.next();
            Mail held = repository().retrieve(key);
            if (held != null) {
                lines.add(key.asString() + " from=" + held.getMaybeSender().asString() + " to=" + held.getRecipients()
                    + " subject=" + Optional.ofNullable(held.getMessage().getSubject()).orElse(""));
                LifecycleUtil.dispose(held);
            }
        }
        return lines;
    }
}
