package org.switchboard.mailets.messageswitch;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.InputChannel;

/**
 * Sets the mail's input channel ({@link InputChannel}, attribute {@value InputChannel#ATTRIBUTE_NAME}) where the SMTP
 * hook cannot: in the {@code root} processor, for mail a mailet created (guarded by James' {@code SentByMailet}:
 * bounces, notices, forwarded copies are {@code INTERNAL}), and, with {@code onlyIfMissing}, as the fallback for mail
 * that entered by a way that tags nothing.
 *
 * <pre>{@code
 * <mailet match="SentByMailet" class="org.switchboard.mailets.messageswitch.SetInputChannel">
 *     <channel>INTERNAL</channel>
 * </mailet>
 * }</pre>
 */
public class SetInputChannel extends GenericMailet {
    public static final String CHANNEL_PARAMETER = "channel";
    public static final String ONLY_IF_MISSING_PARAMETER = "onlyIfMissing";
    private static final Set<String> JAMES_PARAMETERS = Set.of("onMailetException", "onMatchException");
    private static final Logger LOGGER = LoggerFactory.getLogger(SetInputChannel.class);

    private String channel;
    private boolean onlyIfMissing;

    @Override
    public void init() throws MessagingException {
        Set<String> unknown = new LinkedHashSet<>();
        getInitParameterNames().forEachRemaining(unknown::add);
        unknown.removeAll(Set.of(CHANNEL_PARAMETER, ONLY_IF_MISSING_PARAMETER));
        unknown.removeAll(JAMES_PARAMETERS);
        if (!unknown.isEmpty()) {
            throw new MessagingException(getMailetName() + ": unknown init parameter(s) " + unknown
                + "; the parameters are " + CHANNEL_PARAMETER + " and " + ONLY_IF_MISSING_PARAMETER);
        }
        String name = getInitParameter(CHANNEL_PARAMETER);
        if (name == null || name.isBlank()) {
            throw new MessagingException(getMailetName() + ": init parameter " + CHANNEL_PARAMETER
                + " is missing; name one of the input channels " + InputChannel.KNOWN.stream().sorted().toList());
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (!InputChannel.KNOWN.contains(upper)) {
            throw new MessagingException(getMailetName() + ": init parameter " + CHANNEL_PARAMETER + " '" + name.strip()
                + "' is not an input channel; use one of " + InputChannel.KNOWN.stream().sorted().toList());
        }
        channel = upper;
        onlyIfMissing = parseBoolean(getInitParameter(ONLY_IF_MISSING_PARAMETER));
    }

    private boolean parseBoolean(String value) throws MessagingException {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new MessagingException(getMailetName() + ": init parameter " + ONLY_IF_MISSING_PARAMETER
                + " '" + value.strip() + "' is neither true nor false");
        };
    }

    String channel() {
        return channel;
    }

    boolean onlyIfMissing() {
        return onlyIfMissing;
    }

    @Override
    public void service(Mail mail) {
        Optional<String> existing = existing(mail);
        if (onlyIfMissing && existing.isPresent()) {
            return;
        }
        InputChannel.set(mail, channel);
        if (existing.isPresent() && !existing.get().equals(channel)) {
            LOGGER.debug("Mail {}: input channel {} replaced by {}", mail.getName(), existing.get(), channel);
        } else if (existing.isEmpty() && onlyIfMissing) {
            LOGGER.info("Mail {} from {} entered without an input channel; taken as {}", mail.getName(),
                mail.getMaybeSender().asString(), channel);
        }
    }

    /** The channel already set; a value that is not a channel name counts as none (and is replaced). */
    private Optional<String> existing(Mail mail) {
        try {
            return InputChannel.of(mail);
        } catch (IllegalArgumentException e) {
            LOGGER.warn("Mail {}: invalid input channel attribute replaced by {}: {}", mail.getName(), channel,
                e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public String getMailetInfo() {
        return "SetInputChannel: records the channel a mail entered by";
    }
}
