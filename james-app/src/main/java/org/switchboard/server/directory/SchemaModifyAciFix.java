package org.switchboard.server.directory;

import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.server.core.api.interceptor.BaseInterceptor;
import org.apache.directory.server.core.api.interceptor.context.ModifyOperationContext;

/**
 * Works around an ApacheDS 2.0.0.AM27 bug that access control brings out: after a modify, the ACI interceptor reads
 * the modified entry to refresh its caches, but a change of the subschema subentry ({@code cn=schema}: how
 * Switchboard's schema is loaded, at first start or by an administrator with ldapmodify) leaves none, and the
 * operation fails with a NullPointerException once the schema is already changed. Placed right after the ACI
 * interceptor, this hands it the entry as it was (a subschema subentry holds no ACI, so there is nothing to
 * refresh).
 */
final class SchemaModifyAciFix extends BaseInterceptor {
    static final String NAME = "switchboardSchemaModifyAciFix";

    SchemaModifyAciFix() {
        super(NAME);
    }

    @Override
    public void modify(ModifyOperationContext modifyContext) throws LdapException {
        next(modifyContext);
        if (modifyContext.getAlteredEntry() == null) {
            modifyContext.setAlteredEntry(modifyContext.getEntry());
        }
    }
}
