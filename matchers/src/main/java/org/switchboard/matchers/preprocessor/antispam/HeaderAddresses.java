package org.switchboard.matchers.preprocessor.antispam;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeUtility;

/**
 * The mail addresses of an address header field's value, as the block list compares them (lower-case
 * {@code local@domain}), read tolerantly: several addresses, groups, display names with encoded words, comments.
 * When the value does not parse as an address list (a missing {@code >}, stray quotes, raw 8-bit text), every
 * {@code local@domain} token in it is taken instead; when it holds no address but encoded words (a whole
 * {@code From:} encoded, so that readers show an address the parser does not see), the decoded text is scanned too.
 * Never throws: a value with nothing usable gives no address.
 */
final class HeaderAddresses {
    /** An address-looking token: no spaces, brackets, quotes or separators around the '@'. */
    private static final Pattern ADDRESS_TOKEN = Pattern.compile("[^\\s<>()\\[\\],;:\"'@]+@[^\\s<>()\\[\\],;:\"'@]+");
    /** A header with more addresses than this is not a real one; those beyond it are not checked. */
    static final int MAX_ADDRESSES = 1000;

    private HeaderAddresses() {
    }

    static Set<String> of(String rawValue) {
        Set<String> addresses = new LinkedHashSet<>();
        if (rawValue == null || rawValue.isBlank()) {
            return addresses;
        }
        String value = MimeUtility.unfold(rawValue);
        boolean parsed = parse(value, addresses);
        if (!parsed || addresses.isEmpty() && value.indexOf('@') >= 0) {
            scan(value, addresses);
        }
        if (addresses.isEmpty() && value.contains("=?")) {
            scan(decoded(value), addresses);
        }
        return addresses;
    }

    /** False when the value is not an address list: the lenient parser threw, or gave something that is no address. */
    private static boolean parse(String value, Set<String> addresses) {
        try {
            boolean clean = true;
            for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
                if (address.isGroup()) {
                    for (InternetAddress member : address.getGroup(false)) {
                        clean &= add(member.getAddress(), addresses);
                    }
                } else {
                    clean &= add(address.getAddress(), addresses);
                }
            }
            return clean;
        } catch (AddressException | RuntimeException e) {
            return false;
        }
    }

    private static void scan(String text, Set<String> addresses) {
        Matcher token = ADDRESS_TOKEN.matcher(text);
        while (token.find() && addresses.size() < MAX_ADDRESSES) {
            add(token.group(), addresses);
        }
    }

    private static String decoded(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
            // an unknown charset: decode what can be decoded, word by word
            StringBuilder text = new StringBuilder();
            for (String word : value.split("\\s+")) {
                try {
                    text.append(MimeUtility.decodeWord(word)).append(' ');
                } catch (Exception notAWord) {
                    text.append(word).append(' ');
                }
            }
            return text.toString();
        }
    }

    /**
     * Adds the address if it looks like one; false when it is not empty and still does not (the lenient parser
     * returns such text for values it does not understand). A bare name without '@' is no address but no error.
     */
    private static boolean add(String address, Set<String> addresses) {
        if (address == null) {
            return true;
        }
        String normalized = address.strip().toLowerCase(Locale.ROOT);
        if (normalized.startsWith("<") && normalized.endsWith(">")) {
            normalized = normalized.substring(1, normalized.length() - 1).strip();
        }
        if (normalized.indexOf('@') < 0 && normalized.chars().noneMatch(c -> c == '<' || c == '>' || c == '"')) {
            return true;
        }
        if (!ADDRESS_TOKEN.matcher(normalized).matches()) {
            return false;
        }
        if (addresses.size() < MAX_ADDRESSES) {
            addresses.add(normalized);
        }
        return true;
    }

    /** Addresses of several values of one header (a header field may appear more than once). */
    static Set<String> of(List<String> rawValues) {
        Set<String> addresses = new LinkedHashSet<>();
        for (String value : rawValues) {
            for (String address : of(value)) {
                if (addresses.size() >= MAX_ADDRESSES) {
                    return addresses;
                }
                addresses.add(address);
            }
        }
        return addresses;
    }
}
