package org.switchboard.matchers.preprocessor.loop;

import java.util.Locale;
import java.util.Optional;

/**
 * The host of the {@code by} clause of a {@code Received:} header field (RFC 5321 section 4.4:
 * {@code from A (...) by B (...) with ESMTP id X for <r>; date}), e.g. James writes
 * {@code by mx.example.com (JAMES SMTP Server) with ESMTP ID ...}. Comments (nested, with quoted pairs) are skipped,
 * so a {@code by} inside one does not count. Tolerant: an unterminated comment or no {@code by} clause gives
 * nothing, never an exception.
 */
final class ReceivedByHost {
    private ReceivedByHost() {
    }

    /** The host after {@code by}, lower-cased, without a trailing dot; empty when the field has no by clause. */
    static Optional<String> of(String fieldValue) {
        if (fieldValue == null) {
            return Optional.empty();
        }
        String text = withoutComments(fieldValue);
        int semicolon = text.indexOf(';');
        if (semicolon >= 0) {
            text = text.substring(0, semicolon);
        }
        String[] tokens = text.trim().split("\\s+");
        for (int i = 0; i + 1 < tokens.length; i++) {
            if (tokens[i].equalsIgnoreCase("by")) {
                return Optional.of(normalize(tokens[i + 1])).filter(host -> !host.isEmpty());
            }
        }
        return Optional.empty();
    }

    /** Lower case, no trailing dot: how host names are compared. */
    static String normalize(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        while (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    /** Comments replaced by a space; the text of an unterminated comment is dropped. */
    private static String withoutComments(String value) {
        StringBuilder out = new StringBuilder(value.length());
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && depth > 0) {
                i++;
            } else if (c == '(') {
                if (depth == 0) {
                    out.append(' ');
                }
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c == '\r' || c == '\n' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
