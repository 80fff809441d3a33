package org.switchboard.mailets.lists;

import java.io.UnsupportedEncodingException;
import java.util.Date;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Address;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/**
 * What a list does to a post whose author's domain publishes a strict DMARC policy ({@link DmarcMitigation}), the way
 * Mailman does: the list, not the author, becomes the From, so that the members' servers check the list's domain.
 */
final class DmarcRewriting {
    private static final Session SESSION = Session.getInstance(new Properties());

    private DmarcRewriting() {
    }

    /** The post's first From address; empty when it has none that parses. */
    static Optional<InternetAddress> author(MimeMessage message) {
        try {
            Address[] from = message.getFrom();
            return from != null && from.length > 0 && from[0] instanceof InternetAddress address
                ? Optional.of(address) : Optional.empty();
        } catch (MessagingException e) {
            return Optional.empty();
        }
    }

    /**
     * {@link DmarcMitigation#MUNGE}: From becomes {@code "Author via List" <list@...>}; the author goes to Reply-To, or
     * to Cc when the list already set Reply-To (so that replies still reach the author).
     */
    static void munge(MimeMessage message, DistributionList list, InternetAddress author) throws MessagingException {
        message.setFrom(listAs(list, author));
        if (list.replyTo().isPresent()) {
            message.addRecipient(Message.RecipientType.CC, author);
        } else {
            message.setReplyTo(new Address[] {author});
        }
    }

    /**
     * {@link DmarcMitigation#WRAP}: a new message from the list, with the same Subject and recipients, whose body is a
     * short note and the post itself, untouched, as a {@code message/rfc822} part.
     */
    static MimeMessage wrap(MimeMessage post, DistributionList list, InternetAddress author)
        throws MessagingException {
        MimeMessage wrapper = new MimeMessage(SESSION);
        wrapper.setFrom(listAs(list, author));
        wrapper.setReplyTo(new Address[] {author});
        for (String field : new String[] {"To", "Cc", "Subject", "Date", "In-Reply-To", "References"}) {
            String[] values = post.getHeader(field);
            if (values != null) {
                wrapper.setHeader(field, values[0]);
            }
        }
        if (wrapper.getSentDate() == null) {
            wrapper.setSentDate(new Date());
        }
        MimeBodyPart note = new MimeBodyPart();
        note.setText("The message of " + author.toUnicodeString() + " to the list " + list.address().asString()
            + " is attached: the author's domain asks receivers to refuse copies that others changed.\n", "UTF-8");
        MimeBodyPart original = new MimeBodyPart();
        original.setContent(post, "message/rfc822");
        original.setDisposition(MimeBodyPart.INLINE);
        wrapper.setContent(new MimeMultipart("mixed", note, original));
        wrapper.saveChanges();
        return wrapper;
    }

    /** {@code "Author via List" <list@...>}. */
    private static InternetAddress listAs(DistributionList list, InternetAddress author) throws MessagingException {
        String who = Optional.ofNullable(author.getPersonal()).filter(name -> !name.isBlank())
            .orElse(author.getAddress());
        String listName = list.description().isBlank() ? list.address().getLocalPart() : list.description();
        try {
            return new InternetAddress(list.address().asString(), who + " via " + listName, "UTF-8");
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }
}
