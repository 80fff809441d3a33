package org.switchboard.mailets.messagestore;

import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.mailbox.MailboxSession;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * Names one delivery: the mail as the spool first saw it, and one recipient. A mail that the spool hands out again
 * after a crash (between the mailbox append and the spool acknowledgement) carries the same key, so a store that
 * records keys atomically with the append stores it once.
 *
 * <p>The spool name is recorded in the attribute {@value #SPOOL_NAME_ATTRIBUTE} by {@link #markSpoolName} at the
 * first processor, because James renames the copies it makes when a matcher splits a mail (with a random suffix, so
 * the copy's name differs on a re-run). The key travels to the store in the mailbox session's attributes under
 * {@link #SESSION_ATTRIBUTE}.
 */
public record DeliveryKey(String value) {
    public static final String SPOOL_NAME_ATTRIBUTE = "org.switchboard.spool-name";
    public static final String SESSION_ATTRIBUTE = "org.switchboard.delivery-key";
    private static final AttributeName SPOOL_NAME = AttributeName.of(SPOOL_NAME_ATTRIBUTE);

    public static DeliveryKey of(Mail mail, MailAddress recipient) {
        String spoolName = mail.getAttribute(SPOOL_NAME)
            .flatMap(attribute -> attribute.getValue().valueAs(String.class))
            .orElse(mail.getName());
        return new DeliveryKey(spoolName + "\n" + recipient.asString());
    }

    /** Records the mail's name as its spool name, unless one is recorded already. */
    public static void markSpoolName(Mail mail) {
        if (mail.getAttribute(SPOOL_NAME).isEmpty()) {
            mail.setAttribute(new Attribute(SPOOL_NAME, AttributeValue.of(mail.getName())));
        }
    }

    /** The key a delivery put in its mailbox session, if any. */
    public static Optional<String> from(MailboxSession session) {
        return Optional.ofNullable(session.getAttributes().get(SESSION_ATTRIBUTE)).map(Object::toString);
    }

    void attachTo(MailboxSession session) {
        session.getAttributes().put(SESSION_ATTRIBUTE, value);
    }
}
