package org.switchboard.server.directory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.directory.api.ldap.model.entry.Attribute;
import org.apache.directory.api.ldap.model.entry.DefaultEntry;
import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.Modification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.entry.Value;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access rules of the embedded directory, as X.500 basic access control (ApacheDS ACI): the suffix entry is an
 * {@code accessControlSpecificArea}; the subentry {@value #SUBENTRY_RDN} below it holds the {@code prescriptiveACI}
 * items of {@link #prescriptiveAci(boolean)} for the whole subtree, and {@value #LIST_REQUESTS_SUBENTRY_RDN} hides
 * the pending list requests (a {@code specificationFilter} on their object class: ApacheDS fails searches when an
 * ACI uses the {@code classes} protected item instead).
 *
 * <ul>
 *   <li>The administrator ({@code uid=admin,ou=system}) is never subject to ACI (ApacheDS bypasses it).</li>
 *   <li>An authenticated user reads and searches every entry below the suffix, but no {@code userPassword} but
 *       their own, and no pending list request ({@value #LIST_REQUEST_CLASS}, named by its secret token).</li>
 *   <li>A user changes only the {@link #SELF_SERVICE_ATTRIBUTES} of their own entry; everything else (mail,
 *       objectClass, routes, permissions, aliases, quotas, list attributes, other entries, adding and deleting
 *       entries) is refused with insufficientAccessRights. Anything not granted is refused.</li>
 *   <li>A distribution list's owner binds as the list's entry with the list's password and changes the list's
 *       settings and members ({@link #LIST_OWNER_ATTRIBUTES}, subentry {@value #LIST_OWNERS_SUBENTRY_RDN}).</li>
 *   <li>Anonymous (when {@code <allowAnonymousAccess>} is true): reads and searches only
 *       {@link #ANONYMOUS_ATTRIBUTES}.</li>
 * </ul>
 *
 * <p>{@link #ensure} runs at every start: it adds what is missing and puts back the shipped items when they
 * differ (so a data directory created by an older release, or with the other anonymous setting, gets the current
 * rules). Administrators who want more rules add their own subentries, with a higher precedence to override.
 */
final class DirectoryAccessControl {
    static final String SUBENTRY_RDN = "cn=switchboardAccessControl";
    static final String LIST_REQUESTS_SUBENTRY_RDN = "cn=switchboardListRequests";
    /** What a user may change in their own entry. */
    static final List<String> SELF_SERVICE_ATTRIBUTES = List.of("cn", "sn", "firstname", "street",
        "telephoneNumber", "description", "userPassword");
    /** What anonymous clients may read and use in filters, when anonymous access is allowed. */
    static final List<String> ANONYMOUS_ATTRIBUTES = List.of("objectClass", "mail", "cn");

    static final String LIST_OWNERS_SUBENTRY_RDN = "cn=switchboardListOwners";
    /**
     * What a list's owner, bound as the list's entry with its password ({@code userPassword} of the {@code ielist}),
     * changes in it: the list's settings and members, not its address, routes, permissions or aliases.
     */
    static final List<String> LIST_OWNER_ATTRIBUTES = List.of("cn", "description", "ieListMember",
        "ieListDigestMember", "ieListOwnerAddress", "ieListModerator", "ieListSubscription", "ieListPosting",
        "ieListDigest", "ieListDigestInterval", "ieListDigestMaxMessages", "ieListSubjectPrefix", "ieListReplyTo",
        "ieListMaxMessageSize", "ieListBlocked", "ieListArchive", "ieListFooter");
    static final String LIST_CLASS = "ielist";

    /** Pending list requests: their RDN is the confirmation token. */
    static final String LIST_REQUEST_CLASS = "ielistrequest";

    private static final String ADMINISTRATIVE_ROLE = "administrativeRole";
    private static final String ACCESS_CONTROL_SPECIFIC_AREA = "accessControlSpecificArea";
    private static final Set<String> ACCESS_CONTROL_ROLES = Set.of("accesscontrolspecificarea", "2.5.23.2",
        "autonomousarea", "2.5.23.1");
    private static final String PRESCRIPTIVE_ACI = "prescriptiveACI";
    private static final String SUBTREE_SPECIFICATION = "subtreeSpecification";
    /**
     * Pending list requests are named by their confirmation token, a secret: hidden from everyone but the
     * administrator, at a precedence above every grant.
     */
    private static final String LIST_REQUESTS_HIDDEN = "{ identificationTag \"switchboardListRequestsHidden\", "
        + "precedence 30, authenticationLevel none, itemOrUserFirst userFirst: { userClasses { allUsers }, "
        + "userPermissions { { protectedItems { entry, allUserAttributeTypesAndValues }, grantsAndDenials { "
        + "denyRead, denyReturnDN, denyBrowse, denyCompare, denyFilterMatch, denyDiscloseOnError } } } } }";
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryAccessControl.class);

    private DirectoryAccessControl() {
    }

    /** The {@code prescriptiveACI} values of the Switchboard subentry. */
    /** One access control subentry below the suffix: its RDN, the entries it covers, its ACI items. */
    record Subentry(String rdn, String subtreeSpecification, List<String> prescriptiveAci) {
    }

    /** The Switchboard subentries, as {@link #ensure} writes them. */
    static List<Subentry> subentries(boolean allowAnonymousAccess) {
        return List.of(new Subentry(SUBENTRY_RDN, "{}", prescriptiveAci(allowAnonymousAccess)),
            new Subentry(LIST_REQUESTS_SUBENTRY_RDN, "{ specificationFilter item:" + LIST_REQUEST_CLASS + " }",
                List.of(LIST_REQUESTS_HIDDEN)),
            new Subentry(LIST_OWNERS_SUBENTRY_RDN, "{ specificationFilter item:" + LIST_CLASS + " }",
                List.of(listOwnerAci())));
    }

    /** The list's own entry (its owner, bound with the list's password) changes {@link #LIST_OWNER_ATTRIBUTES}. */
    static String listOwnerAci() {
        String attributes = String.join(", ", LIST_OWNER_ATTRIBUTES);
        return "{ identificationTag \"switchboardListOwners\", precedence 20, authenticationLevel simple, "
            + "itemOrUserFirst userFirst: { userClasses { thisEntry }, userPermissions { "
            + "{ protectedItems { entry }, grantsAndDenials { grantModify } }, "
            + "{ protectedItems { attributeType { " + attributes + " }, allAttributeValues { " + attributes
            + " } }, grantsAndDenials { grantAdd, grantRemove } } } } }";
    }

    /** The {@code prescriptiveACI} values of {@value #SUBENTRY_RDN}, for the whole subtree. */
    static List<String> prescriptiveAci(boolean allowAnonymousAccess) {
        String selfService = String.join(", ", SELF_SERVICE_ATTRIBUTES);
        List<String> items = new ArrayList<>();
        // authenticated users (level simple: anonymous is "none") read everything; userPassword is denied below
        items.add("{ identificationTag \"switchboardUsersRead\", precedence 10, authenticationLevel simple, "
            + "itemOrUserFirst userFirst: { userClasses { allUsers }, userPermissions { "
            + "{ protectedItems { entry, allUserAttributeTypesAndValues }, "
            + "grantsAndDenials { grantRead, grantReturnDN, grantBrowse, grantCompare, grantFilterMatch } } } } }");
        // nobody reads, compares or matches a password (a denial applies whatever the authentication level)...
        items.add("{ identificationTag \"switchboardPasswordsHidden\", precedence 10, authenticationLevel none, "
            + "itemOrUserFirst userFirst: { userClasses { allUsers }, userPermissions { "
            + "{ protectedItems { attributeType { userPassword }, allAttributeValues { userPassword } }, "
            + "grantsAndDenials { denyRead, denyCompare, denyFilterMatch } } } } }");
        // ...but their own (higher precedence): the Password Modify operation reads it, as the user
        items.add("{ identificationTag \"switchboardSelfService\", precedence 20, authenticationLevel simple, "
            + "itemOrUserFirst userFirst: { userClasses { thisEntry }, userPermissions { "
            + "{ protectedItems { entry }, grantsAndDenials { grantModify } }, "
            + "{ protectedItems { attributeType { " + selfService + " }, allAttributeValues { " + selfService
            + " } }, grantsAndDenials { grantAdd, grantRemove } }, "
            + "{ protectedItems { attributeType { userPassword }, allAttributeValues { userPassword } }, "
            + "grantsAndDenials { grantRead, grantCompare, grantFilterMatch } } } } }");
        if (allowAnonymousAccess) {
            String anonymous = String.join(", ", ANONYMOUS_ATTRIBUTES);
            items.add("{ identificationTag \"switchboardAnonymousRead\", precedence 10, authenticationLevel none, "
                + "itemOrUserFirst userFirst: { userClasses { allUsers }, userPermissions { "
                + "{ protectedItems { entry, attributeType { " + anonymous + " }, allAttributeValues { " + anonymous
                + " } }, grantsAndDenials { grantRead, grantReturnDN, grantBrowse, grantCompare, grantFilterMatch } "
                + "} } } }");
        }
        return List.copyOf(items);
    }

    /**
     * Makes the suffix an access control area with the Switchboard subentries, as the administrator; changes
     * nothing when they are already as shipped.
     */
    static void ensure(DirectoryService service, String suffix, boolean allowAnonymousAccess) throws LdapException {
        SchemaManager schemaManager = service.getSchemaManager();
        CoreSession admin = service.getAdminSession();
        Dn suffixDn = new Dn(schemaManager, suffix);

        Entry suffixEntry = admin.lookup(suffixDn, ADMINISTRATIVE_ROLE);
        if (!isAccessControlArea(suffixEntry.get(ADMINISTRATIVE_ROLE))) {
            admin.modify(suffixDn, new DefaultModification(ModificationOperation.ADD_ATTRIBUTE, ADMINISTRATIVE_ROLE,
                ACCESS_CONTROL_SPECIFIC_AREA));
            LOGGER.info("Directory: {} is now an access control area", suffix);
        }
        for (Subentry expected : subentries(allowAnonymousAccess)) {
            ensure(admin, new Dn(schemaManager, expected.rdn() + "," + suffix), expected);
        }
    }

    private static void ensure(CoreSession admin, Dn dn, Subentry expected) throws LdapException {
        if (!admin.exists(dn)) {
            Entry subentry = new DefaultEntry(admin.getDirectoryService().getSchemaManager(), dn,
                "objectClass: top",
                "objectClass: subentry",
                "objectClass: accessControlSubentry",
                expected.rdn().replace("=", ": "),
                SUBTREE_SPECIFICATION + ": " + expected.subtreeSpecification());
            subentry.add(PRESCRIPTIVE_ACI, expected.prescriptiveAci().toArray(new String[0]));
            admin.add(subentry);
            LOGGER.info("Directory: created the access control subentry {}", dn);
            return;
        }
        Entry stored = admin.lookup(dn, PRESCRIPTIVE_ACI, SUBTREE_SPECIFICATION);
        List<Modification> changes = new ArrayList<>();
        if (!sameValues(stored.get(SUBTREE_SPECIFICATION), List.of(expected.subtreeSpecification()))) {
            changes.add(new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE, SUBTREE_SPECIFICATION,
                expected.subtreeSpecification()));
        }
        if (!sameValues(stored.get(PRESCRIPTIVE_ACI), expected.prescriptiveAci())) {
            changes.add(new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE, PRESCRIPTIVE_ACI,
                expected.prescriptiveAci().toArray(new String[0])));
        }
        if (!changes.isEmpty()) {
            admin.modify(dn, changes);
            LOGGER.info("Directory: put back the shipped access control items of {}", dn);
        }
    }

    private static boolean isAccessControlArea(Attribute roles) {
        if (roles == null) {
            return false;
        }
        for (Value role : roles) {
            if (ACCESS_CONTROL_ROLES.contains(role.getString().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameValues(Attribute stored, List<String> expected) {
        if (stored == null || stored.size() != expected.size()) {
            return false;
        }
        Set<String> values = new HashSet<>();
        for (Value value : stored) {
            values.add(value.getString());
        }
        return values.equals(new HashSet<>(expected));
    }
}
