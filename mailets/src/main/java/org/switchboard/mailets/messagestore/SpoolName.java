package org.switchboard.mailets.messagestore;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The name the spool gave a mail, kept in the attribute {@value #ATTRIBUTE} from the first processor on: James
 * renames the copies it makes when a matcher splits a mail (with a random suffix, so a copy's name differs when the
 * spool hands the mail out again after a crash), but the copies keep this attribute. With the recipient it names a
 * delivery for the Message Store's exactly-once appends.
 */
final class SpoolName {
    static final String ATTRIBUTE = "org.switchboard.spool-name";
    private static final AttributeName NAME = AttributeName.of(ATTRIBUTE);

    private SpoolName() {
    }

    /** The spool name recorded on the mail, else the mail's own name. */
    static String of(Mail mail) {
        return mail.getAttribute(NAME)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class))
            .orElse(mail.getName());
    }

    /** Records the mail's name as its spool name, unless one is recorded already. */
    static void record(Mail mail) {
        if (mail.getAttribute(NAME).isEmpty()) {
            mail.setAttribute(new Attribute(NAME, AttributeValue.of(mail.getName())));
        }
    }
}
