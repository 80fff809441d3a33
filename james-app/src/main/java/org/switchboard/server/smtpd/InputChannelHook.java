package org.switchboard.server.smtpd;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.InputChannel;

/**
 * Records the input channel of every message an SMTP (or LMTP) server accepts: the mail attribute
 * {@value InputChannel#ATTRIBUTE_NAME}, set to the {@code <channel>} of this server's configuration before James
 * spools the mail. Set unconditionally: the value is the server's, whatever an earlier hook may have put there.
 *
 * <pre>{@code
 * <handler class="org.switchboard.server.smtpd.InputChannelHook">
 *     <channel>SMTPD</channel>
 * </handler>
 * }</pre>
 *
 * Handlers listed in {@code <handlerchain>} come before James' core ones, so this runs before James' SendMailHandler
 * puts the mail in the spool. It never refuses a message.
 */
public class InputChannelHook implements JamesMessageHook {
    public static final String CHANNEL_PARAMETER = "channel";
    private static final Logger LOGGER = LoggerFactory.getLogger(InputChannelHook.class);

    private String channel;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        Set<String> unknown = new LinkedHashSet<>();
        for (Iterator<String> keys = config.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            // the chain's own attribute of the <handler> element
            if (!key.equals(CHANNEL_PARAMETER) && !key.equals("[@class]")) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigurationException(getClass().getName() + ": unknown parameter(s) " + unknown
                + "; the only parameter is <" + CHANNEL_PARAMETER + ">");
        }
        String name = config.getString(CHANNEL_PARAMETER, null);
        if (name == null || name.isBlank()) {
            throw new ConfigurationException(getClass().getName() + ": parameter <" + CHANNEL_PARAMETER
                + "> is missing; name the input channel of this server, one of "
                + InputChannel.KNOWN.stream().sorted().toList());
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (!InputChannel.KNOWN.contains(upper)) {
            throw new ConfigurationException(getClass().getName() + ": parameter <" + CHANNEL_PARAMETER + "> '"
                + name.strip() + "' is not an input channel; use one of " + InputChannel.KNOWN.stream().sorted().toList());
        }
        channel = upper;
    }

    String channel() {
        return channel;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        InputChannel.set(mail, channel);
        LOGGER.debug("Mail {}: input channel {}", mail.getName(), channel);
        return HookResult.DECLINED;
    }
}
