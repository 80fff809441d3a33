package org.switchboard.pipeline;

import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The channel a mail entered by, kept as the mail attribute {@value #ATTRIBUTE_NAME} (the channel's name, a string):
 * set once where the mail enters, read by the Message Switch (x-permission Send) and by the {@code ChannelMatrix}
 * matcher. This class is the only place that knows the attribute's name.
 */
public final class InputChannel {
    public static final String ATTRIBUTE_NAME = "org.switchboard.input-channel";
    public static final AttributeName NAME = AttributeName.of(ATTRIBUTE_NAME);

    private InputChannel() {
    }

    /**
     * The mail's input channel; empty when no one set it.
     *
     * @throws IllegalArgumentException when the attribute holds something else than an input channel's name
     */
    public static Optional<Channel> of(Mail mail) {
        return mail.getAttribute(NAME)
            .map(attribute -> attribute.getValue().valueAs(String.class)
                .map(Channel::input)
                .orElseThrow(() -> new IllegalArgumentException("attribute " + ATTRIBUTE_NAME + " is not a string: "
                    + attribute.getValue())));
    }

    public static void set(Mail mail, Channel channel) {
        if (!channel.isInput()) {
            throw new IllegalArgumentException(channel + " is not an input channel");
        }
        mail.setAttribute(new Attribute(NAME, AttributeValue.of(channel.name())));
    }
}
