package org.switchboard.server.smtpd;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.InputChannel;

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
    /** The chain's own attribute of the {@code <handler>} element. */
    private static final String CLASS_ATTRIBUTE = "[@class]";
    private static final Logger LOGGER = LoggerFactory.getLogger(InputChannelHook.class);

    private Channel channel;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        InitParameters parameters = InitParameters.of(getClass().getName(), name -> config.getString(name, null));
        List<String> names = new ArrayList<>();
        config.getKeys().forEachRemaining(names::add);
        names.remove(CLASS_ATTRIBUTE);
        try {
            parameters.checkNames(names, Set.of(CHANNEL_PARAMETER));
            channel = parameters.inputChannel(CHANNEL_PARAMETER);
        } catch (MessagingException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        InputChannel.set(mail, channel);
        LOGGER.debug("Mail {}: input channel {}", mail.getName(), channel);
        return HookResult.DECLINED;
    }
}
