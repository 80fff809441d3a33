package org.switchboard.mailets.lists;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.ProcessingState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/**
 * Sends one recipient's copy of a mail to another processor, with the reason as its error message; or the whole mail,
 * unchanged, to the processor where mail waits for the directory.
 */
final class Diversion {
    private static final Logger LOGGER = LoggerFactory.getLogger(Diversion.class);

    private Diversion() {
    }

    /** The mail goes unchanged to {@code processor}, to be tried again once the directory answers (one WARN line). */
    static void awaitDirectory(Mail mail, ProcessingState processor, DirectoryUnavailableException e) {
        LOGGER.warn("Lists, mail {}: the directory is unavailable ({}); the mail goes unchanged to processor {}",
            mail.getName(), e.getMessage(), processor.getValue());
        mail.setState(processor.getValue());
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
