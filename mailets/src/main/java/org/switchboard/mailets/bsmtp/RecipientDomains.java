package org.switchboard.mailets.bsmtp;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.apache.james.core.MailAddress;

/**
 * The domains a decoded batch may deliver to: a comma- or space-separated list of domain names, where a name starting
 * with a dot covers its sub-domains only ({@code example.com, .example.com} for both). Nothing is allowed unless
 * listed: a tunnel is no way round the relay rules.
 */
public final class RecipientDomains {
    private final Set<String> exact = new LinkedHashSet<>();
    private final Set<String> parents = new LinkedHashSet<>();
    private final String description;

    private RecipientDomains(String description) {
        this.description = description;
    }

    /** {@link IllegalArgumentException} for an empty list or a name that is no domain. */
    public static RecipientDomains parse(String list) {
        RecipientDomains domains = new RecipientDomains(list.trim());
        for (String name : list.trim().split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            String domain = lower.startsWith(".") ? lower.substring(1) : lower;
            if (!domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw new IllegalArgumentException("'" + name + "' is not a domain name");
            }
            (lower.startsWith(".") ? domains.parents : domains.exact).add(domain);
        }
        if (domains.exact.isEmpty() && domains.parents.isEmpty()) {
            throw new IllegalArgumentException("no domain listed");
        }
        return domains;
    }

    public boolean allows(MailAddress recipient) {
        String domain = recipient.getDomain().asString().toLowerCase(Locale.ROOT);
        if (exact.contains(domain)) {
            return true;
        }
        return parents.stream().anyMatch(parent -> domain.endsWith("." + parent));
    }

    @Override
    public String toString() {
        return description;
    }
}
