package org.switchboard.mailets.lists;

import java.util.Locale;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * Variable envelope return paths, Mailman's way: a member's copy of a post leaves with the envelope sender
 * {@code staff-bounces+bob=example.org@example.com}, so whatever bounce comes back names the member it was for, in its
 * recipient, however badly the bouncing server writes its report.
 */
public final class Verp {
    private static final String TAG = DistributionList.BOUNCES + "+";

    private Verp() {
    }

    /** The list's bounce address carrying the member. */
    public static MailAddress address(DistributionList list, MailAddress member) {
        MailAddress bounces = list.commandAddress(DistributionList.BOUNCES);
        try {
            return new MailAddress(bounces.getLocalPart() + "+" + member.getLocalPart() + "="
                + member.getDomain().asString(), bounces.getDomain());
        } catch (AddressException e) {
            // a local part and a domain that are each valid can be too long together: the plain address does
            return bounces;
        }
    }

    /**
     * The list's plain bounce address for a VERP address ({@code staff-bounces+bob=example.org@example.com} gives
     * {@code staff-bounces@example.com}); empty for any other address.
     */
    static Optional<MailAddress> bounceAddress(MailAddress recipient) {
        String local = recipient.getLocalPart();
        int tag = local.toLowerCase(Locale.ROOT).lastIndexOf(TAG);
        if (tag <= 0 || member(recipient).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(local.substring(0, tag + DistributionList.BOUNCES.length()),
                recipient.getDomain()));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    /** The member a VERP address carries; empty for any other address. */
    public static Optional<MailAddress> member(MailAddress recipient) {
        String local = recipient.getLocalPart();
        int tag = local.toLowerCase(Locale.ROOT).lastIndexOf(TAG);
        if (tag <= 0) {
            return Optional.empty();
        }
        String encoded = local.substring(tag + TAG.length());
        int at = encoded.lastIndexOf('=');
        if (at <= 0 || at == encoded.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(encoded.substring(0, at), encoded.substring(at + 1)));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }
}
