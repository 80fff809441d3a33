package org.switchboard.matchers.messageswitch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * The spec's Channel Action Matrix, one cell range per use: guards a preprocessor module so that it runs only for
 * some (input channel, output channel) pairs. {@code ChannelMatrix=in:SMTPD,BSMTPIN;out:LOCAL,DL} matches the
 * recipients routed to LOCAL or DL of a mail that entered by SMTPD or BSMTPIN.
 *
 * <ul>
 * <li>the input channel is the mail's {@link InputChannel} attribute; a mail without one is {@code INTERNAL};</li>
 * <li>a recipient's output channel is its route recorded by the Message Switch ({@link RouteAttribute}); without
 * one, the default route ({@link Channel#defaultOutput}: {@code LOCAL} when its domain is served here, else
 * {@code SMTPC});</li>
 * <li>a side lists channels, {@code *} (any), {@code !NAME} (not that one: {@code !WEBMAIL} = any but WEBMAIL);
 * a side left out is any.</li>
 * </ul>
 *
 * Like every matcher returning part of the recipients, it splits the mail. A condition that does not parse fails
 * start-up with a message quoting it and the position of the mistake; so does a name that is not an input channel
 * on the {@code in:} side, or not an output channel on the {@code out:} side ({@link Channel}).
 */
public class ChannelMatrix extends GenericMatcher {
    static final String SYNTAX = "in:CHANNEL[,CHANNEL...];out:CHANNEL[,CHANNEL...], either side optional, "
        + "'*' for any channel and '!CHANNEL' for all but that one";

    private static final Logger LOGGER = LoggerFactory.getLogger(ChannelMatrix.class);

    private ChannelSet input;
    private ChannelSet output;

    @Override
    public void init() throws MessagingException {
        Parser parser = new Parser(getMatcherName(), getCondition());
        parser.parse();
        input = parser.sides.getOrDefault("in", ChannelSet.ANY);
        output = parser.sides.getOrDefault("out", ChannelSet.ANY);
    }

    ChannelSet input() {
        return input;
    }

    ChannelSet output() {
        return output;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        if (!input.contains(inputChannel(mail))) {
            return List.of();
        }
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        List<MailAddress> matched = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Route route = routes.get(recipient);
            Channel channel = route != null
                ? route.channel()
                : Channel.defaultOutput(recipient, getMailetContext()::isLocalServer);
            if (output.contains(channel)) {
                matched.add(recipient);
            }
        }
        return matched;
    }

    private Channel inputChannel(Mail mail) {
        try {
            return InputChannel.of(mail).orElse(Channel.INTERNAL);
        } catch (IllegalArgumentException e) {
            // only our own components write the attribute; a value that is not a channel name counts as unknown origin
            LOGGER.warn("{}: mail {} has an invalid input channel attribute ({}), taken as {}", getMatcherName(),
                mail.getName(), e.getMessage(), Channel.INTERNAL);
            return Channel.INTERNAL;
        }
    }

    @Override
    public String getMatcherInfo() {
        return "ChannelMatrix: recipients whose (input channel, output channel) pair the condition selects";
    }

    /** Reads {@code in:...;out:...}, keeping track of positions (1-based) for the error messages. */
    private static final class Parser {
        private final String matcherName;
        private final String condition;
        private final Map<String, ChannelSet> sides = new LinkedHashMap<>();

        Parser(String matcherName, String condition) {
            this.matcherName = matcherName;
            this.condition = condition == null ? "" : condition;
        }

        void parse() throws MessagingException {
            if (condition.isBlank()) {
                throw new MessagingException(matcherName + ": empty condition; write " + SYNTAX
                    + " (e.g. ChannelMatrix=in:SMTPD;out:LOCAL), or use the All matcher");
            }
            int start = 0;
            while (true) {
                int end = condition.indexOf(';', start);
                parseSide(start, end < 0 ? condition.length() : end);
                if (end < 0) {
                    return;
                }
                start = end + 1;
            }
        }

        private void parseSide(int start, int end) throws MessagingException {
            String text = condition.substring(start, end);
            if (text.isBlank()) {
                throw error(start, "empty part between ';' separators");
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw error(start + firstNonBlank(text), "'" + text.trim() + "' does not start with in: or out:");
            }
            String key = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (!key.equals("in") && !key.equals("out")) {
                throw error(start + firstNonBlank(text), "unknown part '" + text.substring(0, colon).trim()
                    + ":'; only in: (input channels) and out: (output channels)");
            }
            if (sides.containsKey(key)) {
                throw error(start + firstNonBlank(text), "'" + key + ":' given twice");
            }
            sides.put(key, parseList(key, start + colon + 1, end));
        }

        private ChannelSet parseList(String side, int start, int end) throws MessagingException {
            if (condition.substring(start, end).isBlank()) {
                throw error(start, "no channel after '" + side + ":'");
            }
            boolean any = false;
            Set<Channel> included = new LinkedHashSet<>();
            Set<Channel> excluded = new LinkedHashSet<>();
            int itemStart = start;
            while (itemStart <= end) {
                int comma = condition.indexOf(',', itemStart);
                int itemEnd = comma < 0 || comma > end ? end : comma;
                String item = condition.substring(itemStart, itemEnd);
                int position = itemStart + firstNonBlank(item);
                String term = item.trim();
                if (term.isEmpty()) {
                    throw error(itemStart, "empty channel name in the " + side + ": list");
                }
                if (term.equals("*")) {
                    any = true;
                } else if (term.startsWith("!")) {
                    excluded.add(channel(side, term.substring(1), position + 1));
                } else {
                    included.add(channel(side, term, position));
                }
                itemStart = itemEnd + 1;
            }
            if (any && !included.isEmpty()) {
                throw error(start + firstNonBlank(condition.substring(start, end)), "'*' already means every channel; "
                    + "remove " + included + " or the '*' from the " + side + ": list");
            }
            for (Channel name : included) {
                if (excluded.contains(name)) {
                    throw error(start + firstNonBlank(condition.substring(start, end)), name
                        + " is both listed and negated in the " + side + ": list");
                }
            }
            if (included.isEmpty()) {
                // only negations (or '*'): every channel but those
                return new ChannelSet(true, Set.of(), excluded);
            }
            if (!excluded.isEmpty()) {
                throw error(start + firstNonBlank(condition.substring(start, end)), "the " + side
                    + ": list mixes channels and negations; list the channels, or negate with '*,!NAME' or '!NAME'");
            }
            return new ChannelSet(false, included, Set.of());
        }

        private Channel channel(String side, String name, int position) throws MessagingException {
            try {
                return side.equals("in") ? Channel.input(name) : Channel.output(name);
            } catch (IllegalArgumentException e) {
                throw error(position, e.getMessage());
            }
        }

        private static int firstNonBlank(String text) {
            int i = 0;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            return i;
        }

        private MessagingException error(int index, String what) {
            return new MessagingException(matcherName + ": invalid condition '" + condition + "' at position "
                + (index + 1) + ": " + what + "; syntax: " + SYNTAX);
        }
    }

    /** For tests and the log: the condition as understood. */
    @Override
    public String toString() {
        return "ChannelMatrix[in:" + input + ";out:" + output + "]";
    }
}
