package org.switchboard.mailets.bsmtp;

import java.util.List;
import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/** The SMTP envelope of one message in a batch: MAIL FROM (possibly the null sender) and every RCPT TO. */
public record Envelope(MaybeSender sender, List<MailAddress> recipients) {
    public Envelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
    }

    /** The MAIL FROM path, {@code <>} for the null sender. */
    String reversePath() {
        return "<" + sender.asString("") + ">";
    }
}
