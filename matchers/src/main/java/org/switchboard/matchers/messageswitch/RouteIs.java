package org.switchboard.matchers.messageswitch;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.switchboard.directory.routing.Route;
import org.switchboard.directory.routing.RouteAttribute;

/**
 * Matches the recipients whose route, recorded by the Message Switch ({@link RouteAttribute}), goes to one of the
 * channels of the condition: {@code RouteIs=SMTPC}, {@code RouteIs=LOCAL,DL}. Channel names are case-insensitive.
 * Recipients without a recorded route never match. As with any James matcher that returns part of the recipients,
 * the mail is split: the matched recipients go to the mailet, the others on down the processor.
 */
public class RouteIs extends GenericMatcher {
    private Set<String> channels;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition == null || condition.isBlank()) {
            throw new MessagingException(getMatcherName()
                + ": empty condition; name one or more channels, e.g. RouteIs=SMTPC or RouteIs=LOCAL,DL");
        }
        Set<String> parsed = new LinkedHashSet<>();
        for (String name : condition.split(",", -1)) {
            try {
                parsed.add(RouteAttribute.channelName(name));
            } catch (IllegalArgumentException e) {
                throw new MessagingException(getMatcherName() + ": invalid condition '" + condition + "': '"
                    + name.trim() + "' is not a channel name (letters, digits, '_' and '-', comma-separated)");
            }
        }
        channels = Set.copyOf(parsed);
    }

    /** The channels matched, upper-cased. */
    public Set<String> channels() {
        return channels;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        if (routes.isEmpty()) {
            return Set.of();
        }
        return mail.getRecipients().stream()
            .filter(recipient -> {
                Route route = routes.get(recipient);
                return route != null && channels.contains(route.channel());
            })
            .toList();
    }

    @Override
    public String getMatcherInfo() {
        return "RouteIs: recipients whose Message Switch route is one of the condition's channels";
    }
}
