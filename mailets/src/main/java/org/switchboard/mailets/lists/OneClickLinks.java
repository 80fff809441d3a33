package org.switchboard.mailets.lists;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;

/**
 * One-click unsubscription (RFC 8058) in a member's own copy of a post: {@code List-Unsubscribe} gets the member's
 * HTTPS link before the mailto one, and {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click} says a POST to it
 * unsubscribes. Only copies for one member can carry it (a link names one member), and only when the server's
 * unsubscribe endpoint is configured: {@link #disabled()} leaves every message as {@link ListHeaders} wrote it.
 */
public final class OneClickLinks {
    public static final String PATH = "/lists/unsubscribe";
    static final String POST_FIELD = "List-Unsubscribe-Post";
    static final String ONE_CLICK = "List-Unsubscribe=One-Click";

    private final Optional<String> baseUrl;
    private final UnsubscribeTokens tokens;

    private OneClickLinks(Optional<String> baseUrl, UnsubscribeTokens tokens) {
        this.baseUrl = baseUrl;
        this.tokens = tokens;
    }

    /** Links to {@code https://<authority>/lists/unsubscribe}; {@code authority}: host, or host:port. */
    public static OneClickLinks to(String authority, UnsubscribeTokens tokens) {
        return new OneClickLinks(Optional.of("https://" + authority + PATH), tokens);
    }

    /** No endpoint: no links. */
    public static OneClickLinks disabled() {
        return new OneClickLinks(Optional.empty(), null);
    }

    public boolean enabled() {
        return baseUrl.isPresent();
    }

    /** The member's link, when enabled. */
    public Optional<String> url(DistributionList list, MailAddress member) {
        return baseUrl.map(base -> base + "?list=" + encode(list.address().asString()) + "&member="
            + encode(member.asString()) + "&token=" + tokens.token(list.address(), member));
    }

    /** Puts the member's link into that member's copy (whose list fields {@link ListHeaders#apply} wrote). */
    void apply(MimeMessage copy, DistributionList list, MailAddress member) throws MessagingException {
        Optional<String> url = url(list, member);
        if (url.isPresent()) {
            copy.setHeader("List-Unsubscribe", "<" + url.get() + ">, " + ListHeaders.mailtoUnsubscribe(list));
            copy.setHeader(POST_FIELD, ONE_CLICK);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
