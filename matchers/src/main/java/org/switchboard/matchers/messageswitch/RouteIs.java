package org.switchboard.matchers.messageswitch;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * Matches the recipients whose route, recorded by the Message Switch ({@link RouteAttribute}), goes to one of the
 * output channels of the condition: {@code RouteIs=SMTPC}, {@code RouteIs=LOCAL,DL}. Channel names are
 * case-insensitive; a name that is not an output channel ({@link Channel}) fails start-up. Recipients without a
 * recorded route never match. As with any James matcher that returns part of the recipients, the mail is split: the
 * matched recipients go to the mailet, the others on down the processor.
 */
public class RouteIs extends GenericMatcher {
    private Set<Channel> channels;

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition == null || condition.isBlank()) {
            throw new MessagingException(getMatcherName()
                + ": empty condition; name one or more output channels, e.g. RouteIs=SMTPC or RouteIs=LOCAL,DL");
        }
        Set<Channel> parsed = EnumSet.noneOf(Channel.class);
        for (String name : condition.split(",", -1)) {
            try {
                parsed.add(Channel.output(name));
            } catch (IllegalArgumentException e) {
                throw new MessagingException(getMatcherName() + ": invalid condition '" + condition + "': "
                    + e.getMessage());
            }
        }
        channels = Set.copyOf(parsed);
    }

    /** The channels matched. */
    public Set<Channel> channels() {
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
