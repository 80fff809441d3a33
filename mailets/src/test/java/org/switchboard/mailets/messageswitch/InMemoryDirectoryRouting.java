package org.switchboard.mailets.messageswitch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.directory.routing.Permission;
import org.switchboard.directory.routing.OtherMailbox;
import org.switchboard.directory.routing.RoutingStatistics;

/** A directory in memory for unit tests: entries by mail, aliases to their owner, and a switch to make it fail. */
final class InMemoryDirectoryRouting implements DirectoryRouting {
    private final Map<MailAddress, DirectoryEntry> entries = new LinkedHashMap<>();
    private final Map<MailAddress, MailAddress> aliases = new LinkedHashMap<>();
    private final AtomicLong lookups = new AtomicLong();
    private boolean unavailable;

    /** Adds an {@code ieperson} entry; {@code othermailbox} values as written in the directory. */
    InMemoryDirectoryRouting person(String mail, List<String> aliasList, String... othermailbox) {
        return add(mail, aliasList, false, othermailbox);
    }

    InMemoryDirectoryRouting disabledPerson(String mail, String... othermailbox) {
        return add(mail, List.of(), true, othermailbox);
    }

    private InMemoryDirectoryRouting add(String mail, List<String> aliasList, boolean disabled, String... othermailbox) {
        MailAddress address = address(mail);
        List<OtherMailbox> routes = new ArrayList<>();
        List<String> invalidValues = new ArrayList<>();
        for (String value : othermailbox) {
            try {
                routes.add(OtherMailbox.parse(value));
            } catch (IllegalArgumentException e) {
                // as LdapDirectoryRouting reports values that do not parse
                invalidValues.add("otherMailbox: " + value);
            }
        }
        List<MailAddress> aliasAddresses = aliasList.stream().map(InMemoryDirectoryRouting::address).toList();
        entries.put(address, new DirectoryEntry("mail=" + mail + ",ou=people,dc=example,dc=com", address,
            Set.of("ieperson"), routes, Map.of(), aliasAddresses, disabled, invalidValues));
        aliasAddresses.forEach(alias -> aliases.put(alias, address));
        return this;
    }

    /** Adds an entry with explicit object classes and {@code x-permission} rights by channel. */
    InMemoryDirectoryRouting entry(String mail, Set<String> objectClasses, Map<String, Permission> permissions,
                                   String... othermailbox) {
        MailAddress address = address(mail);
        List<OtherMailbox> routes = new ArrayList<>();
        for (String value : othermailbox) {
            routes.add(OtherMailbox.parse(value));
        }
        entries.put(address, new DirectoryEntry("mail=" + mail + ",dc=example,dc=com", address, objectClasses, routes,
            permissions, List.of(), false, List.of()));
        return this;
    }

    void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    long lookups() {
        return lookups.get();
    }

    @Override
    public Optional<DirectoryEntry> lookup(MailAddress address) throws DirectoryUnavailableException {
        failIfUnavailable();
        lookups.incrementAndGet();
        MailAddress owner = aliases.getOrDefault(address, address);
        return Optional.ofNullable(entries.get(owner));
    }

    @Override
    public Optional<MailAddress> aliasOwner(MailAddress address) throws DirectoryUnavailableException {
        failIfUnavailable();
        return Optional.ofNullable(aliases.get(address));
    }

    @Override
    public int rebuildAliasTable() throws DirectoryUnavailableException {
        failIfUnavailable();
        return aliases.size();
    }

    @Override
    public void invalidateAll() {
    }

    @Override
    public RoutingStatistics statistics() {
        return new RoutingStatistics(lookups.get(), 0, 0, lookups.get(), 0, 0, 0, aliases.size(), 0, 0,
            RoutingStatistics.ChangeTracking.BOUNDED_STALENESS);
    }

    private void failIfUnavailable() throws DirectoryUnavailableException {
        if (unavailable) {
            throw new DirectoryUnavailableException("ldap://127.0.0.1:10389: connection refused",
                new java.net.ConnectException("Connection refused"));
        }
    }

    static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
