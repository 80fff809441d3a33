package org.switchboard.mailets.lists;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.core.MailAddress;

/**
 * A pending list request, kept in the directory as an {@code ielistrequest} entry below its list, named by its token
 * ({@code ieRequestToken=<token>}; the directory hides these entries from everyone but its administrator).
 *
 * @param token   160 random bits ({@link SecureRandom}) in hexadecimal: whoever shows it answers the request
 * @param type    what is asked ({@code ieRequestType})
 * @param address who asked ({@code ieRequestAddress})
 * @param list    the list ({@code ieRequestList})
 * @param created when ({@code ieRequestDate}); the request expires a configured time later
 */
public record ListRequest(String token, Type type, MailAddress address, MailAddress list, Instant created) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 20;
    private static final Pattern TOKEN = Pattern.compile("(?<![0-9a-fA-F])([0-9a-fA-F]{" + TOKEN_BYTES * 2
        + "})(?![0-9a-fA-F])");

    /** {@code ieRequestType} values. */
    public enum Type {
        /** The requester is to confirm that they want to join. */
        SUBSCRIBE,
        /** The requester is to confirm that they want to leave. */
        UNSUBSCRIBE,
        /** A confirmed subscription to a closed list, for an owner to approve or deny. */
        APPROVAL,
        /** A post held for moderation ({@link HeldPosts}), for an owner to approve, reject or discard. */
        POST,
        /** A member whose delivery bounce processing disabled is to confirm that it is to be enabled again. */
        ENABLE
    }

    /** A new request with a fresh token. */
    public static ListRequest create(Type type, MailAddress address, MailAddress list, Instant now) {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return new ListRequest(HexFormat.of().formatHex(bytes), type, address, list, now);
    }

    /** The first token-shaped word of the text (a Subject, a body), lower-cased. */
    public static Optional<String> findToken(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = TOKEN.matcher(text);
        return matcher.find() ? Optional.of(matcher.group(1).toLowerCase(java.util.Locale.ROOT)) : Optional.empty();
    }
}
