package org.switchboard.directory.routing;

import java.util.Optional;
import java.util.Set;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The channel a mail entered by (the spec's input channels), kept as the mail attribute {@value #ATTRIBUTE_NAME}
 * (a string): set once where the mail enters, read by the Message Switch (x-permission Send) and by the
 * {@code ChannelMatrix} matcher. This class is the only place that knows the attribute's name.
 */
public final class InputChannel {
    public static final String ATTRIBUTE_NAME = "org.switchboard.input-channel";
    public static final AttributeName NAME = AttributeName.of(ATTRIBUTE_NAME);

    /** Internet mail received by the SMTP server (the MX port). */
    public static final String SMTPD = "SMTPD";
    /** Mail submitted by authenticated users (the submission port, webmail). */
    public static final String WEBMAIL = "WEBMAIL";
    /** Batch SMTP picked up from a POP3 tunnel. */
    public static final String BSMTPIN = "BSMTPIN";
    /** Messages re-sent by the distribution list manager. */
    public static final String DL = "DL";
    /** Legacy gateways' outbound sides. */
    public static final String CCOUT = "CCOUT";
    public static final String NOTESOUT = "NOTESOUT";
    /** Mail the server itself creates (bounces, notices): not one of the spec's channels. */
    public static final String INTERNAL = "INTERNAL";

    /** The input channels the spec names, plus {@link #INTERNAL}. */
    public static final Set<String> KNOWN = Set.of(SMTPD, WEBMAIL, BSMTPIN, DL, CCOUT, NOTESOUT, INTERNAL);

    private InputChannel() {
    }

    /** The mail's input channel, upper-cased; empty when no one set it. */
    public static Optional<String> of(Mail mail) {
        return mail.getAttribute(NAME)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class))
            .map(Route::channelName);
    }

    /** Sets the input channel (checked by {@link Route#channelName}). */
    public static void set(Mail mail, String channel) {
        mail.setAttribute(new Attribute(NAME, AttributeValue.of(Route.channelName(channel))));
    }
}
