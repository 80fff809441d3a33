package org.switchboard.mailets.lists;

import java.io.ByteArrayInputStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

/**
 * Builds a list's MIME digest, as Mailman does: a {@code multipart/mixed} message whose first part is a
 * {@code text/plain} table of contents in the style of RFC 1153 ("Today's Topics", one numbered line per message
 * with its Subject and author), and whose second part is a {@code multipart/digest} (RFC 2046) holding each post,
 * unchanged, as a {@code message/rfc822} part, in the order they came. The digest is from the list's
 * {@code -request} address to the list, with the list's header fields.
 */
final class DigestBuilder {
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE, d MMM yyyy", Locale.ENGLISH);

    private DigestBuilder() {
    }

    /** The digest of these posts (raw RFC 5322 messages), dated {@code now}. */
    static MimeMessage build(DistributionList list, List<byte[]> posts, ZonedDateTime now) throws MessagingException {
        if (posts.isEmpty()) {
            throw new IllegalArgumentException("a digest holds at least one post");
        }
        String name = list.description().isEmpty() ? list.address().asString() : list.description();
        StringBuilder contents = new StringBuilder()
            .append(name).append(" digest, ").append(DAY.format(now)).append(", ").append(posts.size())
            .append(posts.size() == 1 ? " message" : " messages").append("\n\n")
            .append("To post to the list, write to ").append(list.address().asString()).append(".\n")
            .append("To receive each message as it comes instead of digests, write \"immediate\" to ")
            .append(list.commandAddress(DistributionList.REQUEST).asString()).append(".\n\n")
            .append("Today's Topics:\n\n");
        MimeMultipart digest = new MimeMultipart("digest");
        int number = 1;
        for (byte[] post : posts) {
            MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(post));
            contents.append(String.format(Locale.ROOT, "%4d. %s (%s)%n", number++,
                Optional.ofNullable(message.getSubject()).orElse("(no subject)"), author(message)));
            MimeBodyPart part = new MimeBodyPart();
            part.setContent(message, "message/rfc822");
            digest.addBodyPart(part);
        }
        MimeBodyPart tableOfContents = new MimeBodyPart();
        tableOfContents.setText(contents.toString(), "UTF-8");
        MimeBodyPart posted = new MimeBodyPart();
        posted.setContent(digest);
        MimeMultipart whole = new MimeMultipart("mixed");
        whole.addBodyPart(tableOfContents);
        whole.addBodyPart(posted);

        MimeMessage message = new MimeMessage(SESSION);
        message.setFrom(list.commandAddress(DistributionList.REQUEST).toInternetAddress()
            .orElseThrow(() -> new MessagingException("no Internet address for " + list.address().asString())));
        message.setRecipient(javax.mail.Message.RecipientType.TO, list.address().toInternetAddress()
            .orElseThrow(() -> new MessagingException("no Internet address for " + list.address().asString())));
        message.setSubject(name + " digest, " + DAY.format(now) + ", " + posts.size()
            + (posts.size() == 1 ? " message" : " messages"), "UTF-8");
        message.setSentDate(Date.from(now.toInstant()));
        message.setContent(whole);
        ListHeaders.apply(message, list);
        message.saveChanges();
        return message;
    }

    /** The From of a post: its display name when it has one, else its address. */
    static String author(MimeMessage message) throws MessagingException {
        javax.mail.Address[] from = message.getFrom();
        if (from == null || from.length == 0) {
            return "unknown";
        }
        if (from[0] instanceof InternetAddress address) {
            return Optional.ofNullable(address.getPersonal()).filter(personal -> !personal.isBlank())
                .orElse(address.getAddress());
        }
        return from[0].toString();
    }
}
