package org.switchboard.mailets.lists;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

/**
 * The header fields a list message carries, Mailman's way: {@code List-Id} (RFC 2919), {@code List-Post},
 * {@code List-Help}, {@code List-Subscribe}, {@code List-Unsubscribe}, {@code List-Owner} (RFC 2369), {@code Precedence: list} and the
 * loop marker {@code X-Loop: <list address>}. A message arriving with this list's {@code List-Id} or loop marker
 * already went through the list: {@link #loopsThrough} says so, and it is not sent again.
 *
 * <p>{@code List-Archive} is there when the list archives its posts ({@link ListArchive#url}).
 * {@code List-Unsubscribe-Post} (RFC 8058) is only allowed beside an HTTPS unsubscribe URI, which names one member:
 * {@link OneClickLinks} adds both to members' own (VERP) copies when the server's unsubscribe endpoint is configured.
 */
final class ListHeaders {
    static final String LOOP_MARKER = "X-Loop";
    static final List<String> LIST_FIELDS = List.of("List-Id", "List-Post", "List-Help", "List-Subscribe",
        "List-Unsubscribe", "List-Archive", "List-Owner", "List-Unsubscribe-Post");

    private ListHeaders() {
    }

    /** Whether the message carries this list's {@code List-Id} or loop marker. */
    static boolean loopsThrough(MimeMessage message, DistributionList list) throws MessagingException {
        String listId = "<" + list.listId() + ">";
        for (String value : values(message, "List-Id")) {
            if (value.toLowerCase(Locale.ROOT).contains(listId)) {
                return true;
            }
        }
        for (String value : values(message, LOOP_MARKER)) {
            if (value.trim().equalsIgnoreCase(list.address().asString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces the list fields of the message by this list's (a post forwarded from another list keeps that list's
     * loop marker, not its List-* fields: RFC 2919 gives a message the identity of the list that sent it last), adds
     * the loop marker and the subject prefix.
     */
    static void apply(MimeMessage message, DistributionList list) throws MessagingException {
        for (String field : LIST_FIELDS) {
            message.removeHeader(field);
        }
        message.setHeader("List-Id", listIdField(list));
        message.setHeader("List-Post", "<mailto:" + list.address().asString() + ">");
        message.setHeader("List-Help", "<mailto:" + list.commandAddress(DistributionList.REQUEST).asString()
            + "?subject=help>");
        message.setHeader("List-Subscribe", "<mailto:" + list.commandAddress(DistributionList.SUBSCRIBE).asString()
            + ">");
        message.setHeader("List-Unsubscribe", mailtoUnsubscribe(list));
        message.setHeader("List-Owner", "<mailto:" + list.commandAddress(DistributionList.OWNER).asString() + ">");
        if (list.archive()) {
            message.setHeader("List-Archive", ListArchive.url(list));
        }
        if (list.replyTo().isPresent()) {
            message.setHeader("Reply-To", list.replyTo().get().asString());
        }
        message.setHeader("Precedence", "list");
        message.addHeader(LOOP_MARKER, list.address().asString());
        Optional<String> prefix = list.subjectPrefix();
        if (prefix.isPresent()) {
            String subject = Optional.ofNullable(message.getSubject()).orElse("");
            if (!subject.contains(prefix.get())) {
                message.setSubject(prefix.get() + " " + subject, "UTF-8");
            }
        }
    }

    static String mailtoUnsubscribe(DistributionList list) {
        return "<mailto:" + list.commandAddress(DistributionList.UNSUBSCRIBE).asString() + ">";
    }

    /** {@code "description" <staff.example.com>}; the phrase RFC 2047-encoded when it is not ASCII. */
    static String listIdField(DistributionList list) {
        String description = list.description().replaceAll("[\\r\\n\"\\\\]", " ").trim();
        if (description.isEmpty()) {
            return "<" + list.listId() + ">";
        }
        String phrase;
        try {
            phrase = description.chars().allMatch(c -> c < 128)
                ? "\"" + description + "\""
                : MimeUtility.encodeWord(description, "UTF-8", "Q");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
        return phrase + " <" + list.listId() + ">";
    }

    private static List<String> values(MimeMessage message, String field) throws MessagingException {
        String[] values = message.getHeader(field);
        return values == null ? List.of() : List.of(values);
    }
}
