package org.switchboard.server.directory;

import org.apache.directory.api.ldap.model.entry.DefaultEntry;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.ldif.LdifReader;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.schema.SchemaLdif;

/** Creates the suffix entry and the bootstrap DIT of {@code directory-schema} at the first start. */
final class DitBootstrap {
    private static final Logger LOGGER = LoggerFactory.getLogger(DitBootstrap.class);

    private DitBootstrap() {
    }

    /** Adds the bootstrap DIT when the suffix entry is missing; changes nothing otherwise. */
    static void ensure(DirectoryService service, DirectoryConfiguration configuration) throws Exception {
        SchemaManager schemaManager = service.getSchemaManager();
        CoreSession admin = service.getAdminSession();
        if (admin.exists(new Dn(schemaManager, configuration.suffix()))) {
            return;
        }
        String ldif = SchemaLdif.bootstrapDit(configuration.domain(), configuration.suffix());
        try (LdifReader reader = new LdifReader()) {
            for (LdifEntry entry : reader.parseLdif(ldif)) {
                admin.add(new DefaultEntry(schemaManager, entry.getEntry()));
            }
        }
        LOGGER.info("Directory: created the DIT below {}", configuration.suffix());
    }
}
