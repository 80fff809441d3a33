package org.switchboard.mailets.lists;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/**
 * Held posts nobody decided on in time: each held post ({@link HeldPosts}) expires at the instant
 * {@link ListModeration} recorded when it held it ({@code holdTimeout} later). An expired post and its pending request
 * are removed, and the poster is told that the post was not sent. Called on a schedule by the server, and by
 * {@link ListRequests} when an owner answers too late.
 */
public class HeldPostExpiry {
    private static final Logger LOGGER = LoggerFactory.getLogger(HeldPostExpiry.class);

    private final ListDirectory directory;
    private final HeldPosts held;
    private final MailetContext context;
    private final Clock clock;

    public HeldPostExpiry(ListDirectory directory, HeldPosts held, MailetContext context, Clock clock) {
        this.directory = directory;
        this.held = held;
        this.context = context;
        this.clock = clock;
    }

    /** Whether the post held under the token has expired; true when none is held under it any more. */
    public boolean expired(String token) throws MessagingException {
        return held.expires(token).map(expires -> !expires.isAfter(clock.instant())).orElse(true);
    }

    /** Expires every held post whose time came; returns how many. */
    public int expireDue() throws MessagingException, DirectoryUnavailableException {
        int expired = 0;
        for (String token : held.tokens()) {
            if (expired(token) && expire(token)) {
                expired++;
            }
        }
        return expired;
    }

    /**
     * Removes the pending request of the token and the post held under it, telling the poster; false when no post was
     * held under it.
     */
    public boolean expire(String token) throws MessagingException, DirectoryUnavailableException {
        Optional<ListRequest> request = directory.request(token);
        if (request.isPresent()) {
            directory.removeRequest(request.get());
        }
        Optional<Mail> post = held.take(token);
        if (post.isEmpty()) {
            return false;
        }
        try {
            MailAddress listAddress = request.map(ListRequest::list)
                .orElseGet(() -> post.get().getRecipients().iterator().next());
            Optional<MailAddress> poster = post.get().getMaybeSender().asOptional();
            String subject = Optional.ofNullable(post.get().getMessage().getSubject()).orElse("");
            LOGGER.info("Lists: the post from {} to {} held under token {} expired; removed",
                post.get().getMaybeSender().asString(), listAddress.asString(), token.substring(0, 8));
            Optional<DistributionList> list = directory.find(listAddress);
            if (list.isPresent() && poster.isPresent()) {
                ListNotice.send(context, list.get(), List.of(poster.get()), "Your post to " + listAddress.asString()
                    + " expired", "Your post to the list " + listAddress.asString() + " (Subject: " + subject
                    + ") was held for moderation, and no owner of the list decided on it in time. It was not sent"
                    + " to the list, and it is deleted.\n");
            }
            return true;
        } finally {
            LifecycleUtil.dispose(post.get());
        }
    }
}
