package org.switchboard.mailets.lists;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InternetDomainName;

/**
 * The DMARC policy (RFC 7489) a domain publishes in DNS: the TXT record {@code v=DMARC1; p=...} at
 * {@code _dmarc.<domain>}, else at {@code _dmarc.<organizational domain>}, where {@code sp=} (when present) is the
 * policy of its subdomains. The organizational domain (RFC 7489 3.2) is the public suffix plus one label, by the
 * Public Suffix List Guava carries ({@code lists.example.co.uk} -> {@code example.co.uk}); a name under no listed
 * suffix (a private top-level domain) counts its last label as the suffix.
 */
public final class DmarcPolicy {
    private DmarcPolicy() {
    }

    /** Whether the domain asks receivers to reject or quarantine mail that fails DMARC. */
    public static boolean isStrict(DNSService dns, Domain domain) {
        return policy(dns, domain).filter(policy -> policy.equals("reject") || policy.equals("quarantine")).isPresent();
    }

    /** The policy ({@code none}, {@code quarantine}, {@code reject}) the domain publishes; empty when none. */
    static Optional<String> policy(DNSService dns, Domain domain) {
        String name = domain.asString().toLowerCase(Locale.ROOT);
        Optional<String> own = policy(dns.findTXTRecords("_dmarc." + name), "p");
        if (own.isPresent()) {
            return own;
        }
        String organizational = organizationalDomain(domain);
        if (organizational.equals(name)) {
            return Optional.empty();
        }
        Collection<String> records = dns.findTXTRecords("_dmarc." + organizational);
        return policy(records, "sp").or(() -> policy(records, "p"));
    }

    /** The domain's organizational domain, lower-cased (see the class comment). */
    public static String organizationalDomain(Domain domain) {
        String name = domain.asString().toLowerCase(Locale.ROOT);
        if (InternetDomainName.isValid(name)) {
            InternetDomainName parsed = InternetDomainName.from(name);
            if (parsed.isUnderPublicSuffix()) {
                return parsed.topPrivateDomain().toString();
            }
            if (parsed.isPublicSuffix()) {
                return name;
            }
        }
        String[] labels = name.split("\\.");
        return labels.length <= 2 ? name : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** The value of the tag in the one DMARC record among the TXT records (RFC 7489 6.6.3: several mean none). */
    static Optional<String> policy(Collection<String> records, String tag) {
        if (records == null) {
            return Optional.empty();
        }
        // TXT strings may arrive quoted or split
        java.util.List<String> dmarc = records.stream().map(record -> record.replace("\" \"", "").replace("\"", ""))
            .filter(record -> record.trim().toLowerCase(Locale.ROOT).startsWith("v=dmarc1")).toList();
        if (dmarc.size() != 1) {
            return Optional.empty();
        }
        for (String part : dmarc.get(0).split(";")) {
            String[] pair = part.split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase(tag)) {
                return Optional.of(pair[1].trim().toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }
}
