package org.switchboard.mailets.messagestore;

import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Records the name the spool gave the mail ({@link SpoolName}), before any matcher splits it: the
 * copies James makes get random names, but keep this attribute, so {@link MessageStoreDelivery} names a delivery
 * the same way when the spool hands the mail out again after a crash. First mailet of the {@code root} processor;
 * no parameters.
 */
public class RecordSpoolName extends GenericMailet {
    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of());
    }

    @Override
    public void service(Mail mail) {
        SpoolName.record(mail);
    }

    @Override
    public String getMailetInfo() {
        return "Records the spool name of a mail (delivery key of the Message Store)";
    }
}
