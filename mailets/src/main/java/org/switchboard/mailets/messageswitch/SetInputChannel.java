package org.switchboard.mailets.messageswitch;

import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.InputChannel;

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
    private static final Logger LOGGER = LoggerFactory.getLogger(SetInputChannel.class);

    private Channel channel;
    private boolean onlyIfMissing;

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(CHANNEL_PARAMETER, ONLY_IF_MISSING_PARAMETER));
        channel = parameters.inputChannel(CHANNEL_PARAMETER);
        onlyIfMissing = parameters.flag(ONLY_IF_MISSING_PARAMETER, false);
    }

    @Override
    public void service(Mail mail) {
        Optional<Channel> existing = existing(mail);
        if (onlyIfMissing && existing.isPresent()) {
            return;
        }
        InputChannel.set(mail, channel);
        if (existing.isPresent() && existing.get() != channel) {
            LOGGER.debug("Mail {}: input channel {} replaced by {}", mail.getName(), existing.get(), channel);
        } else if (existing.isEmpty() && onlyIfMissing) {
            LOGGER.info("Mail {} from {} entered without an input channel; taken as {}", mail.getName(),
                mail.getMaybeSender().asString(), channel);
        }
    }

    /** The channel already set; a value that is not a channel name counts as none (and is replaced). */
    private Optional<Channel> existing(Mail mail) {
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
