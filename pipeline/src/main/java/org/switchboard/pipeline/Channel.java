package org.switchboard.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

/**
 * The channels of the pipeline: the one list of their names. A channel is a path messages flow through (spec, MTA):
 * an <em>input</em> channel is where a mail entered (the {@link InputChannel} attribute), an <em>output</em> channel
 * where the Message Switch sends a recipient (the {@link RouteAttribute}, from {@code othermailbox: CHANNEL$address}).
 *
 * <p>The spec's input channels are SMTPD, BSMTPIN, CCOUT, NOTESOUT, DL and the Web Mail Client (WEBMAIL); its
 * output channels SMTPC, BSMTPOUT, DL, LOCAL, CCIN and NOTESIN. {@link #INTERNAL} is Switchboard's own, for mail the
 * server makes (bounces, notices). The spec's directory examples also spell routes CCMAIL, NOTES and BSMTTP: here a
 * route names its output channel (CCIN, NOTESIN, BSMTPOUT), the same names as {@code x-permission} and the Channel
 * Action Matrix use.
 */
public enum Channel {
    /** Internet mail received by the SMTP server (the MX port). */
    SMTPD(true, false, false),
    /** Mail submitted by authenticated users (the submission port, webmail). */
    WEBMAIL(true, false, false),
    /** Batch SMTP picked up from a POP3 tunnel. */
    BSMTPIN(true, false, false),
    /** Legacy gateways' sides that bring mail in (from cc:Mail, from Notes). */
    CCOUT(true, false, false),
    NOTESOUT(true, false, false),
    /** Mail the server itself creates (bounces, notices): not one of the spec's channels. */
    INTERNAL(true, false, false),
    /** In: messages re-sent by the distribution list manager; out: mail for a list. */
    DL(true, true, false),
    /** This server's mailboxes. */
    LOCAL(false, true, true),
    /** Remote delivery over SMTP. */
    SMTPC(false, true, true),
    /** Batch SMTP for a POP3 tunnel mailbox. */
    BSMTPOUT(false, true, true),
    /** Legacy gateways' sides that take mail out (to cc:Mail, to Notes), with addresses of their own. */
    CCIN(false, true, false),
    NOTESIN(false, true, false);

    private final boolean input;
    private final boolean output;
    private final boolean internetAddresses;

    Channel(boolean input, boolean output, boolean internetAddresses) {
        this.input = input;
        this.output = output;
        this.internetAddresses = internetAddresses;
    }

    public boolean isInput() {
        return input;
    }

    public boolean isOutput() {
        return output;
    }

    /** Whether a route's address in this channel must be an Internet mail address (LOCAL, SMTPC, BSMTPOUT). */
    public boolean hasInternetAddresses() {
        return internetAddresses;
    }

    /** The input channels, in name order. */
    public static List<Channel> inputs() {
        return sorted(Channel::isInput);
    }

    /** The output channels, in name order. */
    public static List<Channel> outputs() {
        return sorted(Channel::isOutput);
    }

    /**
     * The input channel of that name (case-insensitive, trimmed).
     *
     * @throws IllegalArgumentException naming the value and listing the input channels
     */
    public static Channel input(String name) {
        return named(name, Channel::isInput, "input", inputs());
    }

    /**
     * The output channel of that name (case-insensitive, trimmed).
     *
     * @throws IllegalArgumentException naming the value and listing the output channels
     */
    public static Channel output(String name) {
        return named(name, Channel::isOutput, "output", outputs());
    }

    /**
     * The default route, for a recipient the Message Switch left without one: LOCAL when this server serves its
     * domain (James' domain list), else SMTPC. James' own local/remote decision follows the same rule.
     */
    public static Channel defaultOutput(MailAddress recipient, Predicate<Domain> servedHere) {
        return servedHere.test(recipient.getDomain()) ? LOCAL : SMTPC;
    }

    /** {@code side}: "input" or "output", for the error message. */
    private static Channel named(String name, Predicate<Channel> ofSide, String side, List<Channel> choices) {
        String given = name == null ? "" : name.trim();
        return Arrays.stream(values())
            .filter(channel -> channel.name().equals(given.toUpperCase(Locale.ROOT)) && ofSide.test(channel))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("'" + given + "' is not an " + side + " channel; " + side
                + " channels are " + choices));
    }

    private static List<Channel> sorted(Predicate<Channel> kind) {
        return Arrays.stream(values()).filter(kind).sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }
}
