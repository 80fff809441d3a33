package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/**
 * Reminders to members whose delivery bounce processing disabled ({@link ListBounces}): each gets one every
 * {@code reminderInterval}, and whoever had {@code reminders} of them is removed from the list, with a notice. Sent
 * when someone posts ({@link DistributionListManager}) and on the server's schedule, so a quiet list reminds too. The
 * two settings are the {@link DistributionListManager}'s: it gives them at its init; before that the schedule sends
 * nothing.
 */
@Singleton
public class BounceReminders {
    private static final Logger LOGGER = LoggerFactory.getLogger(BounceReminders.class);

    /** The list manager's settings. */
    record Settings(int reminders, Duration interval) {
    }

    private final ListDirectory directory;
    private final BounceRecords bounceRecords;
    private final Clock clock;
    private volatile Settings settings;

    @Inject
    public BounceReminders(ListDirectory directory, BounceRecords bounceRecords) {
        this(directory, bounceRecords, Clock.systemUTC());
    }

    /** {@code clock}: what "now" is, for the reminders' intervals. */
    public BounceReminders(ListDirectory directory, BounceRecords bounceRecords, Clock clock) {
        this.directory = directory;
        this.bounceRecords = bounceRecords;
        this.clock = clock;
    }

    void configure(int reminders, Duration interval) {
        settings = new Settings(reminders, interval);
    }

    /** Sends the due reminders of every list; returns how many lists were looked at (0 before the settings came). */
    public int remindAll(MailetContext context) throws MessagingException, DirectoryUnavailableException {
        Optional<Settings> current = Optional.ofNullable(settings);
        if (current.isEmpty()) {
            return 0;
        }
        int lists = 0;
        for (DistributionList list : directory.search("")) {
            remind(context, list, bounceRecords.state(list), current.get());
            lists++;
        }
        return lists;
    }

    /**
     * Disabled members of the list get their due reminder; those who had every reminder are removed from it, with a
     * notice. A directory that does not answer delays this to a later post or check.
     */
    void remind(MailetContext context, DistributionList list, BounceState bounces) throws MessagingException {
        try {
            remind(context, list, bounces, settings);
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Lists: reminders of {} to members with disabled delivery wait for a later post: {}",
                list.address().asString(), e.getMessage());
        }
    }

    private void remind(MailetContext context, DistributionList list, BounceState bounces, Settings current)
        throws MessagingException, DirectoryUnavailableException {
        for (BounceRecord record : bounces.records().values()) {
            if (!record.noticeDue(clock.instant(), current.interval()) || !list.isMember(record.member())) {
                continue;
            }
            if (record.notices() >= current.reminders()) {
                directory.removeMember(list, record.member());
                bounceRecords.remove(list, record.member());
                LOGGER.warn("Lists: {} removed from {} by bounce processing", record.member().asString(),
                    list.address().asString());
                BounceNotices.removed(context, list, record.member());
            } else {
                bounceRecords.save(list, record.noticed(clock.instant()));
                BounceNotices.reminder(context, list, record, current.reminders() - record.notices());
            }
        }
    }
}
