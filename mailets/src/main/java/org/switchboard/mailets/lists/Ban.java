package org.switchboard.mailets.lists;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.apache.james.core.MailAddress;

/**
 * A ban of a list ({@code ieListBan}), Mailman's way: a banned address may neither post nor join. A value is
 * <ul>
 *   <li>a regular expression when it starts with {@code ^} ({@code ^.*@spam\.example$}), searched in the address,
 *       case-insensitive;</li>
 *   <li>a glob when it holds {@code *} or {@code ?} ({@code *@*.spam.example}), matching the whole address,
 *       case-insensitive;</li>
 *   <li>a domain when it starts with {@code @} ({@code @spam.example});</li>
 *   <li>else an address.</li>
 * </ul>
 *
 * @param value   the value as written
 * @param pattern what it matches, as a regular expression over the lower-cased address
 */
public record Ban(String value, Pattern pattern) {

    /** The ban a value writes; {@link IllegalArgumentException} saying why when it is none. */
    public static Ban parse(String value) {
        String text = value == null ? "" : value.trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty ban");
        }
        try {
            if (text.startsWith("^")) {
                return new Ban(text, Pattern.compile(text, Pattern.CASE_INSENSITIVE));
            }
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is no regular expression: " + e.getDescription());
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (text.contains("*") || text.contains("?")) {
            StringBuilder regex = new StringBuilder("^");
            for (char c : lower.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return new Ban(text, Pattern.compile(regex.append('$').toString()));
        }
        if (text.startsWith("@") && text.length() > 1) {
            return new Ban(text, Pattern.compile("^[^@]+" + Pattern.quote(lower) + "$"));
        }
        if (!text.contains("@")) {
            throw new IllegalArgumentException("'" + text + "' is no ban: an address, @domain, a glob (*, ?) or a"
                + " regular expression starting with ^");
        }
        return new Ban(text, Pattern.compile("^" + Pattern.quote(lower) + "$"));
    }

    public boolean matches(MailAddress address) {
        return pattern.matcher(address.asString().toLowerCase(Locale.ROOT)).find();
    }
}
