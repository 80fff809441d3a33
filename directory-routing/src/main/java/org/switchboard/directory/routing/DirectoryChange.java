package org.switchboard.directory.routing;

import java.util.LinkedHashSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.controls.EntryChangeNotificationControl;
import com.unboundid.ldap.sdk.controls.PersistentSearchChangeType;

/**
 * One change the persistent search reported: the entry as it is after the change (the notification does not carry
 * the previous values).
 *
 * @param type         the change type; null when the entry change notification control is missing or unreadable
 * @param dn           the entry's DN as the server sent it
 * @param normalizedDn the same, normalized
 * @param previousDn   the normalized DN before a rename; null otherwise
 * @param keys         keys of the entry's {@code mail} and {@code ieMailAlias} values
 * @param aliasKeys    keys of its {@code ieMailAlias} values
 */
record DirectoryChange(PersistentSearchChangeType type, String dn, String normalizedDn, String previousDn,
                       Set<String> keys, Set<String> aliasKeys) {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryChange.class);
    /** What the persistent search asks for: enough to know which answers a change concerns. */
    static final String[] ATTRIBUTES = {EntryReader.MAIL, EntryReader.ALIAS};

    static DirectoryChange of(SearchResultEntry entry) {
        PersistentSearchChangeType type = null;
        String previousDn = null;
        try {
            EntryChangeNotificationControl control = EntryChangeNotificationControl.get(entry);
            if (control != null) {
                type = control.getChangeType();
                previousDn = control.getPreviousDN();
            }
        } catch (LDAPException e) {
            LOGGER.debug("Directory routing: unreadable entry change notification control on {}", entry.getDN(), e);
        }
        Set<String> keys = new LinkedHashSet<>();
        EntryReader.values(entry, EntryReader.MAIL).forEach(value -> keys.add(EntryReader.key(value)));
        Set<String> aliasKeys = new LinkedHashSet<>();
        EntryReader.values(entry, EntryReader.ALIAS).forEach(value -> aliasKeys.add(EntryReader.key(value)));
        keys.addAll(aliasKeys);
        LOGGER.debug("Directory routing: {} {}{}", type == null ? "change of" : type.getName(), entry.getDN(),
            previousDn == null ? "" : " (was " + previousDn + ")");
        return new DirectoryChange(type, entry.getDN(), EntryReader.normalizedDn(entry.getDN()),
            previousDn == null ? null : EntryReader.normalizedDn(previousDn), Set.copyOf(keys), Set.copyOf(aliasKeys));
    }

    /**
     * An entry without {@code mail} deleted or renamed (a {@code dc=}/{@code ou=} branch, or an unknown change
     * type): the entries below it moved or went, and are not reported one by one.
     */
    boolean isBranch() {
        return keys.isEmpty() && type != PersistentSearchChangeType.ADD && type != PersistentSearchChangeType.MODIFY;
    }
}
