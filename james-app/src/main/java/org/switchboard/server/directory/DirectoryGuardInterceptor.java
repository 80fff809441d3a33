package org.switchboard.server.directory;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.directory.api.ldap.model.constants.SchemaConstants;
import org.apache.directory.api.ldap.model.entry.Attribute;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.exception.LdapAuthenticationException;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.exception.LdapNoPermissionException;
import org.apache.directory.api.ldap.model.exception.LdapNoSuchObjectException;
import org.apache.directory.api.ldap.model.filter.BranchNode;
import org.apache.directory.api.ldap.model.filter.ExprNode;
import org.apache.directory.api.ldap.model.filter.LeafNode;
import org.apache.directory.api.ldap.model.message.SearchScope;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.core.api.filtering.EntryFilteringCursor;
import org.apache.directory.server.core.api.interceptor.BaseInterceptor;
import org.apache.directory.server.core.api.interceptor.context.BindOperationContext;
import org.apache.directory.server.core.api.interceptor.context.SearchOperationContext;

/**
 * What the directory's ACI ({@link DirectoryAccessControl}) cannot express, placed right after ApacheDS'
 * normalization (so filters and DNs are schema-aware) and before authentication:
 *
 * <ul>
 *   <li>ApacheDS does not enforce the filterMatch permission: a filter on an attribute one may not read would still
 *       tell which entries have which values. A search by anyone but an administrator whose filter tests
 *       {@code userPassword} is refused, and so is an anonymous search whose filter tests anything but
 *       {@link DirectoryAccessControl#ANONYMOUS_ATTRIBUTES}.</li>
 *   <li>When anonymous access is off, ApacheDS still lets an anonymous client search from the root DSE
 *       (empty base) down: only the root DSE itself (base scope) stays readable.</li>
 *   <li>A bind as an entry whose {@value #ACCOUNT_DISABLED} is TRUE fails with invalidCredentials, as a wrong
 *       password does, so that a disabled account can no longer read the directory nor change its password.</li>
 * </ul>
 */
final class DirectoryGuardInterceptor extends BaseInterceptor {
    static final String NAME = "switchboardGuardInterceptor";
    static final String ACCOUNT_DISABLED = "ieAccountDisabled";
    private static final String USER_PASSWORD_OID = SchemaConstants.USER_PASSWORD_AT_OID;

    private final Dn suffix;
    private Set<String> anonymousOids;

    DirectoryGuardInterceptor(Dn suffix) {
        super(NAME);
        this.suffix = suffix;
    }

    @Override
    public void init(DirectoryService directoryService) throws LdapException {
        super.init(directoryService);
        anonymousOids = DirectoryAccessControl.ANONYMOUS_ATTRIBUTES.stream()
            .map(name -> schemaManager.getAttributeType(name).getOid())
            .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public EntryFilteringCursor search(SearchOperationContext searchContext) throws LdapException {
        CoreSession session = searchContext.getSession();
        if (!session.isAnAdministrator()) {
            boolean anonymous = session.isAnonymous();
            if (anonymous && !directoryService.isAllowAnonymousAccess()
                && !(searchContext.getDn().isEmpty() && searchContext.getScope() == SearchScope.OBJECT)) {
                throw new LdapNoPermissionException("Anonymous access is disabled: bind first");
            }
            checkFilter(searchContext.getFilter(), anonymous);
        }
        return next(searchContext);
    }

    private void checkFilter(ExprNode node, boolean anonymous) throws LdapNoPermissionException {
        if (node instanceof BranchNode branch) {
            for (ExprNode child : branch.getChildren()) {
                checkFilter(child, anonymous);
            }
        } else if (node instanceof LeafNode leaf) {
            AttributeType type = leaf.getAttributeType();
            String oid = type != null ? type.getOid() : null;
            String name = leaf.getAttribute() == null ? "" : leaf.getAttribute();
            if (USER_PASSWORD_OID.equals(oid) || name.toLowerCase(Locale.ROOT).equals("userpassword")) {
                throw new LdapNoPermissionException("A search filter may not test userPassword");
            }
            if (anonymous && (oid == null || !anonymousOids.contains(oid))) {
                throw new LdapNoPermissionException("An anonymous search filter may only test "
                    + String.join(", ", DirectoryAccessControl.ANONYMOUS_ATTRIBUTES) + ": bind first");
            }
        }
        // ObjectClassNode ((objectClass=*)), UndefinedNode (an unknown attribute: matches nothing) and the
        // internal nodes test no attribute value
    }

    @Override
    public void bind(BindOperationContext bindContext) throws LdapException {
        next(bindContext);
        Dn dn = bindContext.getDn();
        if (dn == null || !dn.isDescendantOf(suffix) || schemaManager.getAttributeType(ACCOUNT_DISABLED) == null) {
            return;
        }
        // checked after the password, so that the answer tells nothing more to who does not know it
        Entry entry = bindContext.getPrincipal(); // looked up with all attributes by the LDAP bind handler
        if (entry == null) {
            try {
                entry = directoryService.getAdminSession().lookup(dn, ACCOUNT_DISABLED);
            } catch (LdapNoSuchObjectException e) {
                return;
            }
        }
        Attribute disabled = entry.get(ACCOUNT_DISABLED);
        if (disabled != null && disabled.contains("TRUE")) {
            throw new LdapAuthenticationException("Cannot authenticate " + dn + ": the account is disabled");
        }
    }
}
