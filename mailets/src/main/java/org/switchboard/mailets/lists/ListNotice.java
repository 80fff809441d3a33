package org.switchboard.mailets.lists;

import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;

/**
 * A mail the list manager writes (confirmation requests, welcomes, answers to commands): from the list's
 * {@code -request} address, replies to it, envelope sender {@code -bounces} (so a failure never comes back as a
 * command), marked {@code Auto-Submitted: auto-replied} (RFC 3834) with the list's loop marker so that other
 * robots do not answer it.
 */
final class ListNotice {
    private static final Session SESSION = Session.getInstance(new Properties());

    private ListNotice() {
    }

    /** Who decides for the list: its owners, the postmaster when it has none. */
    static Set<MailAddress> owners(MailetContext context, DistributionList list) {
        return list.owners().isEmpty() ? Set.of(context.getPostmaster()) : list.owners();
    }

    /** Tells a member who left the list that it is done. */
    static void goodbye(MailetContext context, DistributionList list, MailAddress member) throws MessagingException {
        String name = list.address().asString();
        send(context, list, List.of(member), "Goodbye from " + name, member.asString()
            + " is no longer a member of the list " + name + ".\n");
    }

    static void send(MailetContext context, DistributionList list, List<MailAddress> to, String subject, String body)
        throws MessagingException {
        MimeMessage message = new MimeMessage(SESSION);
        InternetAddress request = list.commandAddress(DistributionList.REQUEST).toInternetAddress()
            .orElseThrow(() -> new MessagingException("no Internet address for " + list.address().asString()));
        message.setFrom(request);
        message.setReplyTo(new InternetAddress[] {request});
        for (MailAddress recipient : to) {
            message.addRecipient(Message.RecipientType.TO, recipient.toInternetAddress()
                .orElseThrow(() -> new MessagingException("no Internet address for " + recipient.asString())));
        }
        message.setSubject(subject, "UTF-8");
        message.setText(body, "UTF-8");
        message.setSentDate(new Date());
        message.setHeader("Auto-Submitted", "auto-replied");
        message.setHeader("List-Id", ListHeaders.listIdField(list));
        message.setHeader(ListHeaders.LOOP_MARKER, list.address().asString());
        message.saveChanges();
        context.sendMail(list.commandAddress(DistributionList.BOUNCES), to, message);
    }
}
