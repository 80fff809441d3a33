package org.switchboard.mailets.lists;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

/**
 * What an archive listing shows of an archived post, and what orders it: its Date (the date it was archived when
 * the post has none), From, Subject, Message-ID, and its parents ({@code References}, else {@code In-Reply-To}).
 *
 * @param references the Message-IDs it answers, oldest first ({@code References}, then {@code In-Reply-To})
 */
public record ArchivedMessage(Instant date, String from, String subject, String messageId, List<String> references) {
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]+>");

    public ArchivedMessage {
        references = List.copyOf(references);
    }

    /** The listing facts of a stored message (its raw header, or whole), archived at {@code archived}. */
    static ArchivedMessage of(byte[] content, Date archived) throws MessagingException {
        MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(content));
        Instant date = Optional.ofNullable(message.getSentDate()).orElse(archived).toInstant();
        javax.mail.Address[] from = message.getFrom();
        String author = from != null && from.length > 0 && from[0] instanceof InternetAddress address
            ? address.getAddress() : "";
        List<String> references = new ArrayList<>(ids(message.getHeader("References", " ")));
        ids(message.getHeader("In-Reply-To", " ")).stream().filter(id -> !references.contains(id))
            .forEach(references::add);
        return new ArchivedMessage(date, author == null ? "" : author.toLowerCase(Locale.ROOT),
            Optional.ofNullable(message.getSubject()).orElse(""),
            ids(message.getHeader("Message-ID", " ")).stream().findFirst().orElse(""), references);
    }

    private static List<String> ids(String field) {
        if (field == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        Matcher matcher = MESSAGE_ID.matcher(field);
        while (matcher.find()) {
            ids.add(matcher.group());
        }
        return ids;
    }
}
