package org.switchboard.mailets.lists;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.ProcessingState;

/** Sends one recipient's copy of a mail to another processor, with the reason as its error message. */
final class Diversion {
    private Diversion() {
    }

    static void divert(MailetContext context, Mail mail, MailAddress recipient, ProcessingState target, String reason)
        throws MessagingException {
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(List.of(recipient));
            copy.setErrorMessage(reason);
            context.sendMail(copy, target.getValue());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }
}
