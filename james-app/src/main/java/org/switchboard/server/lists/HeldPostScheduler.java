package org.switchboard.server.lists;

import java.time.Clock;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.HeldPostExpiry;
import org.switchboard.mailets.lists.HeldPosts;
import org.switchboard.mailets.lists.ListDirectory;

/**
 * Removes held posts nobody decided on in time ({@link HeldPostExpiry}: the {@code holdTimeout} of ListModeration,
 * default 14 days), telling their posters, at every check ({@link ListSchedule#PERIOD}).
 */
@Singleton
public class HeldPostScheduler extends ListSchedule {
    private static final Logger LOGGER = LoggerFactory.getLogger(HeldPostScheduler.class);

    private final HeldPostExpiry expiry;

    @Inject
    public HeldPostScheduler(ListDirectory directory, HeldPosts held, MailetContext context) {
        super("list-held-posts");
        this.expiry = new HeldPostExpiry(directory, held, context, Clock.systemUTC());
    }

    @Override
    void check() {
        try {
            int expired = expiry.expireDue();
            if (expired > 0) {
                LOGGER.info("Lists: {} held post(s) expired", expired);
            }
        } catch (MessagingException | DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: held posts not checked, next try in {}: {}", PERIOD, e.getMessage());
        }
    }
}
