package org.switchboard.directory.routing;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.james.core.MailAddress;

/**
 * The routing view of one directory entry ({@code ieperson}, {@code ielist}, {@code iemessagestoreshared}, ...).
 *
 * @param dn           the entry's distinguished name
 * @param mail         its {@code mail} address
 * @param objectClasses its object classes, lower-cased
 * @param routes       its {@code othermailbox} values in directory order; empty: the default route applies
 * @param permissions  its {@code x-permission} values by upper-cased channel name
 * @param aliases      its {@code ieMailAlias} addresses
 * @param disabled     {@code ieAccountDisabled: TRUE}
 * @param invalidValues values the directory holds that do not parse (reported, never silently dropped)
 */
public record DirectoryEntry(String dn, MailAddress mail, Set<String> objectClasses, List<OtherMailbox> routes,
                             Map<String, Permission> permissions, List<MailAddress> aliases, boolean disabled,
                             List<String> invalidValues) {

    public DirectoryEntry {
        objectClasses = Set.copyOf(objectClasses);
        routes = List.copyOf(routes);
        permissions = Map.copyOf(permissions);
        aliases = List.copyOf(aliases);
        invalidValues = List.copyOf(invalidValues);
    }

    /** The right on a channel; {@link Permission#SEND_RECEIVE} when the entry has none for it. */
    public Permission permission(String channel) {
        return permissions.getOrDefault(channel.toUpperCase(Locale.ROOT), Permission.SEND_RECEIVE);
    }

    public boolean hasObjectClass(String objectClass) {
        return objectClasses.contains(objectClass.toLowerCase(Locale.ROOT));
    }
}
