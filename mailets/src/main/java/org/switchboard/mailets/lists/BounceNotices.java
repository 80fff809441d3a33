package org.switchboard.mailets.lists;

import java.time.Instant;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;

/**
 * What the list manager tells a member whose delivery bounce processing disabled, and the list's owners (the
 * postmaster when it has none): that it was disabled, reminders, and the removal.
 */
final class BounceNotices {
    private BounceNotices() {
    }

    static void disabled(MailetContext context, DistributionList list, BounceRecord record) throws MessagingException {
        String name = list.address().asString();
        String member = record.member().asString();
        ListNotice.send(context, list, List.of(record.member()), "Your delivery from " + name + " is disabled",
            "Mail from the list " + name + " to " + member + " kept failing (bounce score " + record.score()
                + "), so the list stopped sending you its posts. You are still a member; if this goes on, you will"
                + " be removed after a few reminders.\n\n" + howToEnable(list));
        ListNotice.send(context, list, List.copyOf(ListNotice.owners(context, list)), "Delivery to " + member + " disabled on "
            + name, "Mail from the list " + name + " to " + member + " kept failing (bounce score " + record.score()
            + "): its delivery is disabled. The member can enable it again by mail; you can with james-cli"
            + " ResetListBounces " + name + " " + member + ".\n");
    }

    static void reminder(MailetContext context, DistributionList list, BounceRecord record, int remindersLeft)
        throws MessagingException {
        String name = list.address().asString();
        ListNotice.send(context, list, List.of(record.member()), "Your delivery from " + name + " is still disabled",
            "Mail from the list " + name + " to " + record.member().asString() + " was disabled on "
                + record.disabled().map(Instant::toString).orElse("?") + " because it kept failing. After "
                + remindersLeft + " more reminder(s) you will be removed from the list.\n\n" + howToEnable(list));
    }

    static void removed(MailetContext context, DistributionList list, MailAddress member) throws MessagingException {
        String name = list.address().asString();
        ListNotice.send(context, list, List.of(member), "You were removed from " + name,
            member.asString() + " was removed from the list " + name + ": mail to it kept failing, and its"
                + " delivery had been disabled. To join again, write to "
                + list.commandAddress(DistributionList.SUBSCRIBE).asString() + ".\n");
        ListNotice.send(context, list, List.copyOf(ListNotice.owners(context, list)), member.asString() + " removed from " + name,
            member.asString() + " was removed from the list " + name + " by bounce processing: its delivery had been"
                + " disabled and the reminders went unanswered.\n");
    }

    private static String howToEnable(DistributionList list) {
        return "To receive the list's posts again, write \"enable\" to "
            + list.commandAddress(DistributionList.REQUEST).asString() + " and confirm with the token you are sent,"
            + " or ask the list's owner (" + list.commandAddress(DistributionList.OWNER).asString() + ").\n";
    }
}
