package org.switchboard.matchers.preprocessor.antispam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A parsed block list: entries that name sender addresses, domains or patterns, each for every checked header or for
 * one of them. The format (one entry per line in a file, comma-separated inline):
 *
 * <pre>
 * # a comment line; blank lines are ignored
 * spammer@spam.example        one address (case-insensitive; &lt;...&gt; around it is allowed)
 * spam.example                every address of that domain (not its subdomains)
 * @spam.example               the same
 * *.spam.example              every address of the subdomains (glob on the domain: * any run, ? one character)
 * *@spam.example              glob on the whole address
 * promo-*@*.example           glob on the whole address
 * /^[0-9]{6,}@/               a Java regular expression, found anywhere in the address (case-insensitive)
 * Reply-To: *@spam.example    any of the above, for that header only (From, Sender, Reply-To, Resent-From, Return-Path)
 * </pre>
 *
 * Lookups of plain addresses and domains are hash lookups; globs and expressions are tried in turn.
 */
final class BlockList {
    /** The headers checked, as the spec lists them; {@code Return-Path} also stands for the envelope sender. */
    static final List<String> HEADERS = List.of("From", "Sender", "Reply-To", "Resent-From", "Return-Path");
    static final BlockList EMPTY = new BlockList(List.of());

    enum Kind { ADDRESS, DOMAIN, ADDRESS_GLOB, DOMAIN_GLOB, REGEX }

    /** One entry; {@code header} is null for every header; {@code where} says where it was written. */
    record Entry(String header, Kind kind, String value, Pattern pattern, String text, String where) {
        boolean appliesTo(String checkedHeader) {
            return header == null || header.equals(checkedHeader);
        }

        boolean matches(String address, String domain) {
            return switch (kind) {
                case ADDRESS -> address.equals(value);
                case DOMAIN -> domain.equals(value);
                case ADDRESS_GLOB -> pattern.matcher(address).matches();
                case DOMAIN_GLOB -> pattern.matcher(domain).matches();
                case REGEX -> pattern.matcher(address).find();
            };
        }
    }

    /** A header address that an entry blocks. */
    record Hit(String header, String address, Entry entry) {
        String reason() {
            return header + " address " + address + " matches block list entry '" + entry.text() + "'";
        }
    }

    /** An entry that does not parse; the message names the entry and what is wrong. */
    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    private final List<Entry> entries;
    private final Map<String, List<Entry>> byAddress = new HashMap<>();
    private final Map<String, List<Entry>> byDomain = new HashMap<>();
    private final List<Entry> patterns = new ArrayList<>();

    BlockList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry entry : this.entries) {
            switch (entry.kind()) {
                case ADDRESS -> byAddress.computeIfAbsent(entry.value(), key -> new ArrayList<>()).add(entry);
                case DOMAIN -> byDomain.computeIfAbsent(entry.value(), key -> new ArrayList<>()).add(entry);
                default -> patterns.add(entry);
            }
        }
    }

    List<Entry> entries() {
        return entries;
    }

    int size() {
        return entries.size();
    }

    /** The first entry blocking {@code address} (lower-case) found in {@code header}. */
    Optional<Hit> find(String header, String address) {
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        for (Entry entry : byAddress.getOrDefault(address, List.of())) {
            if (entry.appliesTo(header)) {
                return Optional.of(new Hit(header, address, entry));
            }
        }
        for (Entry entry : byDomain.getOrDefault(domain, List.of())) {
            if (entry.appliesTo(header)) {
                return Optional.of(new Hit(header, address, entry));
            }
        }
        for (Entry entry : patterns) {
            if (entry.appliesTo(header) && entry.matches(address, domain)) {
                return Optional.of(new Hit(header, address, entry));
            }
        }
        return Optional.empty();
    }

    /**
     * The lines of a block list file: {@code #} comment lines and blank lines skipped, every other line one entry;
     * {@code where} names the source in messages ({@code conf/antispam-blocklist.txt}), completed by the line number.
     */
    static BlockList parseLines(List<String> lines, String where) throws SyntaxException {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            entries.add(parseEntry(line, where + " line " + (i + 1)));
        }
        return new BlockList(entries);
    }

    /** One entry, e.g. {@code *@spam.example} or {@code Reply-To: spam.example}. */
    static Entry parseEntry(String text, String where) throws SyntaxException {
        String entry = text.strip();
        String header = null;
        if (!entry.startsWith("/")) {
            int colon = entry.indexOf(':');
            if (colon > 0 && entry.substring(0, colon).matches("[A-Za-z-]+")) {
                header = canonicalHeader(entry.substring(0, colon), text, where);
                entry = entry.substring(colon + 1).strip();
            }
        }
        if (entry.isEmpty()) {
            throw new SyntaxException(where + ": '" + text + "' has no address, domain or pattern");
        }
        if (entry.startsWith("/")) {
            return regex(header, entry, text, where);
        }
        if (entry.chars().anyMatch(Character::isWhitespace)) {
            throw new SyntaxException(where + ": '" + text + "' contains a space; one address, domain or pattern "
                + "per entry (a header name is followed by ':')");
        }
        if (entry.startsWith("<") && entry.endsWith(">") && entry.length() > 2) {
            entry = entry.substring(1, entry.length() - 1);
        }
        entry = entry.toLowerCase(Locale.ROOT);
        if (entry.matches(".*[<>,;:()\"\\\\].*")) {
            throw new SyntaxException(where + ": '" + text + "' contains one of < > , ; : ( ) \" \\; "
                + "write a bare address, domain or pattern (or a /regular expression/)");
        }
        boolean glob = entry.indexOf('*') >= 0 || entry.indexOf('?') >= 0;
        int at = entry.lastIndexOf('@');
        if (at < 0 || at == 0) {
            String domain = at == 0 ? entry.substring(1) : entry;
            if (domain.isEmpty() || domain.indexOf('@') >= 0 || domain.startsWith(".") || domain.endsWith(".")) {
                throw new SyntaxException(where + ": '" + text + "' is not a domain");
            }
            return glob
                ? new Entry(header, Kind.DOMAIN_GLOB, domain, globPattern(domain), text, where)
                : new Entry(header, Kind.DOMAIN, domain, null, text, where);
        }
        if (at == entry.length() - 1) {
            throw new SyntaxException(where + ": '" + text + "' has no domain after '@'");
        }
        if (glob) {
            return new Entry(header, Kind.ADDRESS_GLOB, entry, globPattern(entry), text, where);
        }
        if (entry.indexOf('@') != at) {
            throw new SyntaxException(where + ": '" + text + "' has more than one '@'");
        }
        return new Entry(header, Kind.ADDRESS, entry, null, text, where);
    }

    private static Entry regex(String header, String entry, String text, String where) throws SyntaxException {
        if (entry.length() < 3 || !entry.endsWith("/")) {
            throw new SyntaxException(where + ": '" + text + "': a regular expression is written between slashes, "
                + "e.g. /^[0-9]+@spam\\.example$/");
        }
        try {
            Pattern pattern = Pattern.compile(entry.substring(1, entry.length() - 1),
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            return new Entry(header, Kind.REGEX, entry, pattern, text, where);
        } catch (PatternSyntaxException e) {
            throw new SyntaxException(where + ": '" + text + "' is not a valid regular expression: "
                + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static String canonicalHeader(String name, String text, String where) throws SyntaxException {
        for (String header : HEADERS) {
            if (header.equalsIgnoreCase(name)) {
                return header;
            }
        }
        throw new SyntaxException(where + ": '" + text + "': '" + name + ":' is not a checked header; the headers are "
            + String.join(", ", HEADERS));
    }

    /** {@code *} any run of characters, {@code ?} one character, everything else literal; whole-string match. */
    private static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
