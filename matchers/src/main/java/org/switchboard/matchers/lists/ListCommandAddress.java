package org.switchboard.matchers.lists;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.matchers.UnconditionalMatcher;

/**
 * Matches the recipients that are command addresses of a distribution list ({@code staff-request@},
 * {@code staff-subscribe@}, {@code staff-unsubscribe@}, {@code staff-bounces@}, {@code staff-owner@} of the {@code ielist}
 * {@code staff@}): the address minus its suffix is a list in the directory, and the address itself is no entry of
 * its own. No condition. Lookups go through the directory routing service's cache. When the directory does not
 * answer, an address with a command suffix matches (one WARN line): the list manager asks the directory again and
 * holds the mail until it answers, rather than the local checks that follow refusing it as an unknown address.
 */
public class ListCommandAddress extends UnconditionalMatcher {
    private static final Logger LOGGER = LoggerFactory.getLogger(ListCommandAddress.class);
    private static final String LIST_CLASS = "ielist";

    private final DirectoryRouting directory;

    @Inject
    public ListCommandAddress(DirectoryRouting directory) {
        this.directory = directory;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Optional<DistributionList.Command> command = DistributionList.commandOf(recipient);
            if (command.isPresent() && isList(mail, recipient, command.get().list())) {
                matched.add(recipient);
            }
        }
        return matched;
    }

    private boolean isList(Mail mail, MailAddress recipient, MailAddress list) {
        try {
            Optional<DirectoryEntry> own = directory.lookup(recipient);
            if (own.isPresent()) {
                return false; // an entry of its own (a person named staff-request): the directory's routing applies
            }
            return directory.lookup(list).map(entry -> entry.hasObjectClass(LIST_CLASS)).orElse(false);
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("ListCommandAddress, mail {}: the directory is unavailable ({}); {} goes to the list manager,"
                + " which holds it until the directory answers", mail.getName(), e.getMessage(), recipient.asString());
            return true;
        }
    }

    @Override
    public String getMatcherInfo() {
        return "ListCommandAddress: recipients that are command addresses of a list (-request, -owner, ...)";
    }
}
