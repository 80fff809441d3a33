package org.switchboard.server.lists;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.BounceReminders;

/**
 * Sends the due reminders to members whose delivery bounce processing disabled, and removes those who had them all
 * ({@link BounceReminders}), at every check ({@link ListSchedule#PERIOD}): a list nobody posts to reminds too.
 */
@Singleton
public class BounceReminderScheduler extends ListSchedule {
    private static final Logger LOGGER = LoggerFactory.getLogger(BounceReminderScheduler.class);

    private final BounceReminders reminders;
    private final MailetContext context;

    @Inject
    public BounceReminderScheduler(BounceReminders reminders, MailetContext context) {
        super("list-bounce-reminders");
        this.reminders = reminders;
        this.context = context;
    }

    @Override
    void check() {
        try {
            reminders.remindAll(context);
        } catch (MessagingException | DirectoryUnavailableException | RuntimeException e) {
            LOGGER.warn("Lists: reminders of disabled members not checked, next try in {}: {}", PERIOD,
                e.getMessage());
        }
    }
}
