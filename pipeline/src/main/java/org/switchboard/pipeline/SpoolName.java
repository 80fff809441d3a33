package org.switchboard.pipeline;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The name of the spool entry a mail came from, kept in the attribute {@value #ATTRIBUTE}: recorded each time the
 * spool hands a mail out (the server's dequeue decorator), whatever processor it starts in. James renames the copies
 * it makes when a matcher splits a mail (with a random suffix, so a copy's name differs when the spool hands the mail
 * out again after a crash), but the copies keep this attribute; a mail a mailet makes from another is a new spool
 * entry and gets its own. With the recipient it names one delivery for the Message Store's exactly-once appends.
 */
public final class SpoolName {
    public static final String ATTRIBUTE = "org.switchboard.spool-name";
    private static final AttributeName NAME = AttributeName.of(ATTRIBUTE);

    private SpoolName() {
    }

    /** The spool name recorded on the mail, else the mail's own name. */
    public static String of(Mail mail) {
        return mail.getAttribute(NAME)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class))
            .orElse(mail.getName());
    }

    /** Records the mail's name as its spool name (replacing one copied from another mail). */
    public static void record(Mail mail) {
        mail.setAttribute(new Attribute(NAME, AttributeValue.of(mail.getName())));
    }
}
