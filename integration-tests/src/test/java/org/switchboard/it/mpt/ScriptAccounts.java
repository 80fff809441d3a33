package org.switchboard.it.mpt;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user names of James' scripts ({@code imapuser}, {@code Boby}, ...) and the directory accounts that stand for
 * them in one test. Our server's logins are full addresses and its store outlives a test, while James' scripts
 * assume a bare name and an empty store for each test: every test gets fresh accounts
 * ({@code imapuser-17@example.com}), the client's LOGIN, AUTHENTICATE PLAIN, ACL identifiers and quota roots name
 * the account, and the server's lines show the script's name again. Mailbox names are never rewritten.
 */
final class ScriptAccounts {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final Pattern LOGIN = Pattern.compile("^(\\S+ LOGIN )(\"?)([^\" ]+)\\2( .*)?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ACL_IDENTIFIER = Pattern.compile(
        "^(\\S+ (?:SETACL|DELETEACL|LISTRIGHTS) \\S+ )(\"?)([^\" ]+)\\2(.*)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUOTA_ROOT = Pattern.compile("#private&([A-Za-z0-9._-]+)");

    private final String domain;
    private final int test;
    /** script name (lower case) to account address */
    private final Map<String, String> accounts = new LinkedHashMap<>();

    ScriptAccounts(String domain) {
        this.domain = domain;
        this.test = TESTS.incrementAndGet();
    }

    /** Makes a script user stand for an existing account (one kept across tests, e.g. the administrator). */
    synchronized void pin(String scriptUser, String address) {
        accounts.put(scriptUser.toLowerCase(Locale.US), address);
    }

    /** The account of a script user, made up on first use (the caller provisions it). */
    synchronized String account(String scriptUser) {
        return accounts.computeIfAbsent(scriptUser.toLowerCase(Locale.US),
            name -> name + "-" + test + "@" + domain);
    }

    synchronized boolean known(String scriptUser) {
        return accounts.containsKey(scriptUser.toLowerCase(Locale.US));
    }

    private synchronized String accountIfKnown(String scriptUser) {
        return accounts.getOrDefault(scriptUser.toLowerCase(Locale.US), scriptUser);
    }

    /** A client line as the server must see it. */
    String toServer(String line) {
        Matcher login = LOGIN.matcher(line);
        if (login.matches()) {
            return login.group(1) + login.group(2) + accountIfKnown(login.group(3)) + login.group(2)
                + (login.group(4) == null ? "" : login.group(4));
        }
        Matcher acl = ACL_IDENTIFIER.matcher(line);
        if (acl.matches()) {
            return acl.group(1) + acl.group(2) + aclIdentifier(acl.group(3)) + acl.group(2) + acl.group(4);
        }
        Matcher root = QUOTA_ROOT.matcher(line);
        StringBuilder rewritten = new StringBuilder();
        while (root.find()) {
            root.appendReplacement(rewritten, Matcher.quoteReplacement("#private&" + accountIfKnown(root.group(1))));
        }
        root.appendTail(rewritten);
        return rewritten.toString();
    }

    /**
     * An RFC 4314 identifier names a user of the test ({@code bob}, even one never provisioned): our server has
     * virtual hosting, where James refuses an identifier of another domain (DifferentDomainException) and a bare
     * name is one. A leading {@code -} (negative rights) stays; {@code anyone} and {@code owner} are not users.
     */
    private String aclIdentifier(String identifier) {
        boolean negative = identifier.startsWith("-");
        String name = negative ? identifier.substring(1) : identifier;
        if (name.isEmpty() || name.contains("@") || name.equalsIgnoreCase("anyone") || name.equalsIgnoreCase("owner")
                || name.equalsIgnoreCase("authenticated") || name.equalsIgnoreCase("administrators")) {
            return identifier;
        }
        return (negative ? "-" : "") + account(name);
    }

    /** A SASL PLAIN response (base64 of authzid NUL authcid NUL password) with the accounts' names. */
    String saslPlainToServer(String base64) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException notBase64) {
            return base64;
        }
        // authzid NUL authcid NUL password, or (James also takes it) authcid NUL password
        String[] parts = new String(decoded, StandardCharsets.UTF_8).split("\u0000", -1);
        if (parts.length < 2 || parts.length > 3) {
            return base64;
        }
        StringBuilder mapped = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            mapped.append(parts[i].isEmpty() ? "" : accountIfKnown(parts[i])).append('\u0000');
        }
        mapped.append(parts[parts.length - 1]);
        return Base64.getEncoder().encodeToString(mapped.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A server line as the script expects it: each account shown under its script name. */
    synchronized String toScript(String line) {
        String result = line;
        for (Map.Entry<String, String> account : accounts.entrySet()) {
            result = Pattern.compile(Pattern.quote(account.getValue()), Pattern.CASE_INSENSITIVE).matcher(result)
                .replaceAll(Matcher.quoteReplacement(account.getKey()));
        }
        return result;
    }
}
