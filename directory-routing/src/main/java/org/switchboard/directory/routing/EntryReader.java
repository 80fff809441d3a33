package org.switchboard.directory.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;

/**
 * Reads directory entries into {@link DirectoryEntry}s and picks the entry an address designates, with the rules of
 * the alias table: an entry whose own {@code mail} is the address wins over aliases; an address that is the
 * {@code mail} of several entries, or the alias of several entries, designates none (reported).
 */
final class EntryReader {
    static final String MAIL = "mail";
    static final String OTHER_MAILBOX = "otherMailbox";
    static final String PERMISSION = "x-permission";
    static final String ALIAS = "ieMailAlias";
    static final String DISABLED = "ieAccountDisabled";
    static final String OBJECT_CLASS = "objectClass";
    /** What a lookup reads. */
    static final String[] ATTRIBUTES = {OBJECT_CLASS, MAIL, OTHER_MAILBOX, PERMISSION, ALIAS, DISABLED};

    private EntryReader() {
    }

    /** Lookup key of an address: {@code mail} and {@code ieMailAlias} match case-insensitively. */
    static String key(String address) {
        return address.trim().toLowerCase(Locale.ROOT);
    }

    /** DN in normalized form (names and values lower-cased), to compare DNs however the server spells them. */
    static String normalizedDn(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.trim().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One entry as read.
     *
     * @param normalizedDn its DN, normalized
     * @param dn           its DN as the server sent it
     * @param mailKeys     keys of all its {@code mail} values
     * @param aliasKeys    keys of all its {@code ieMailAlias} values, its own mail values excluded
     * @param entry        the routing view; empty when it has no usable {@code mail}
     * @param problems     what does not parse, as {@code attribute: value (reason)}
     */
    record Read(String normalizedDn, String dn, Set<String> mailKeys, Set<String> aliasKeys,
                Optional<DirectoryEntry> entry, List<String> problems) {
    }

    /** What an address designates, and the entries the answer depends on (normalized DNs). */
    record Resolution(Optional<DirectoryEntry> entry, Set<String> dependencies) {
    }

    static Read read(Entry ldapEntry) {
        String dn = ldapEntry.getDN();
        List<String> problems = new ArrayList<>();
        List<String> invalidValues = new ArrayList<>();

        Set<String> mailKeys = new LinkedHashSet<>();
        for (String mail : values(ldapEntry, MAIL)) {
            mailKeys.add(key(mail));
        }
        MailAddress owner = null;
        Optional<String> ownerValue = ownerMailValue(ldapEntry);
        if (ownerValue.isPresent()) {
            try {
                owner = new MailAddress(ownerValue.get().trim());
            } catch (AddressException | RuntimeException e) {
                problems.add(MAIL + ": " + ownerValue.get() + " (not a mail address: " + e.getMessage() + ")");
                invalidValues.add(MAIL + ": " + ownerValue.get());
            }
        }

        List<OtherMailbox> routes = new ArrayList<>();
        for (String value : values(ldapEntry, OTHER_MAILBOX)) {
            try {
                routes.add(OtherMailbox.parse(value));
            } catch (IllegalArgumentException e) {
                problems.add(OTHER_MAILBOX + ": " + value + " (" + e.getMessage() + ")");
                invalidValues.add(OTHER_MAILBOX + ": " + value);
            }
        }

        Map<String, Permission> permissions = new LinkedHashMap<>();
        for (String value : values(ldapEntry, PERMISSION)) {
            try {
                ChannelPermission permission = ChannelPermission.parse(value);
                Permission previous = permissions.get(permission.channel());
                if (previous != null && previous != permission.permission()) {
                    Permission combined = previous.intersect(permission.permission());
                    problems.add(PERMISSION + ": " + value + " (several values for " + permission.channel()
                        + ": the most restrictive combination applies, " + combined.ldapValue() + ")");
                    permissions.put(permission.channel(), combined);
                } else {
                    permissions.put(permission.channel(), permission.permission());
                }
            } catch (IllegalArgumentException e) {
                problems.add(PERMISSION + ": " + value + " (" + e.getMessage() + ")");
                invalidValues.add(PERMISSION + ": " + value);
            }
        }

        Set<String> aliasKeys = new LinkedHashSet<>();
        List<MailAddress> aliases = new ArrayList<>();
        for (String value : values(ldapEntry, ALIAS)) {
            String aliasKey = key(value);
            if (mailKeys.contains(aliasKey) || !aliasKeys.add(aliasKey)) {
                continue; // its own address, or twice the same alias
            }
            try {
                aliases.add(new MailAddress(value.trim()));
            } catch (AddressException | RuntimeException e) {
                problems.add(ALIAS + ": " + value + " (not a mail address: " + e.getMessage() + ")");
                invalidValues.add(ALIAS + ": " + value);
            }
        }

        Set<String> objectClasses = new LinkedHashSet<>();
        for (String objectClass : values(ldapEntry, OBJECT_CLASS)) {
            objectClasses.add(objectClass.trim().toLowerCase(Locale.ROOT));
        }
        boolean disabled = values(ldapEntry, DISABLED).stream().anyMatch(v -> v.trim().equalsIgnoreCase("TRUE"));

        Optional<DirectoryEntry> entry = owner == null ? Optional.empty() : Optional.of(new DirectoryEntry(dn, owner,
            objectClasses, routes, permissions, aliases, disabled, invalidValues));
        return new Read(normalizedDn(dn), dn, mailKeys, aliasKeys, entry, problems);
    }

    /**
     * Picks what {@code key} designates among the entries a search for {@code (|(mail=key)(ieMailAlias=key))}
     * returned.
     *
     * @param warn receives a message key (to report once) and the message, for ambiguous addresses
     */
    static Resolution resolve(String key, Collection<Read> candidates, BiConsumer<String, String> warn) {
        Set<String> dependencies = new LinkedHashSet<>();
        Map<String, Read> byMail = new TreeMap<>(); // DNs in a stable order, for reports
        Map<String, Read> byAlias = new TreeMap<>();
        for (Read read : candidates) {
            dependencies.add(read.normalizedDn());
            if (read.mailKeys().contains(key)) {
                byMail.put(read.normalizedDn(), read);
            } else if (read.aliasKeys().contains(key)) {
                byAlias.put(read.normalizedDn(), read);
            }
        }
        Set<String> frozen = Set.copyOf(dependencies);
        if (byMail.size() > 1) {
            warn.accept("mail:" + key + ":" + byMail.keySet(), "Directory: " + key + " is the mail of several entries ("
                + dns(byMail.values()) + "): ambiguous, treated as unknown until one of them changes");
            return new Resolution(Optional.empty(), frozen);
        }
        if (byMail.size() == 1) {
            Read read = byMail.values().iterator().next();
            if (read.entry().isEmpty()) {
                warn.accept("unusable:" + read.normalizedDn(), "Directory: entry " + read.dn()
                    + " has no usable mail value: " + read.problems());
            }
            return new Resolution(read.entry(), frozen);
        }
        if (byAlias.size() > 1) {
            warn.accept("alias:" + key + ":" + byAlias.keySet(), "Directory: alias " + key
                + " is claimed by several entries (" + dns(byAlias.values()) + "): ambiguous, left out");
            return new Resolution(Optional.empty(), frozen);
        }
        if (byAlias.size() == 1) {
            Read read = byAlias.values().iterator().next();
            if (read.entry().isEmpty()) {
                warn.accept("unusable:" + read.normalizedDn(), "Directory: alias " + key + " belongs to " + read.dn()
                    + ", which has no usable mail value: left out");
            }
            return new Resolution(read.entry(), frozen);
        }
        return new Resolution(Optional.empty(), frozen);
    }

    /** The owner address of an entry: the {@code mail} value of its RDN, else its first {@code mail} value. */
    static Optional<String> ownerMailValue(Entry entry) {
        try {
            RDN rdn = new DN(entry.getDN()).getRDN();
            if (rdn != null) {
                String[] names = rdn.getAttributeNames();
                for (int i = 0; i < names.length; i++) {
                    if (MAIL.equalsIgnoreCase(names[i])) {
                        return Optional.of(rdn.getAttributeValues()[i]);
                    }
                }
            }
        } catch (LDAPException e) {
            // the attribute decides
        }
        return Optional.ofNullable(entry.getAttributeValue(MAIL));
    }

    static List<String> values(Entry entry, String attribute) {
        String[] values = entry.getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    private static String dns(Collection<Read> reads) {
        return String.join(" and ", reads.stream().map(Read::dn).toList());
    }
}
