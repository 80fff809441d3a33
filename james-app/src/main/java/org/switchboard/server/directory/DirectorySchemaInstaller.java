package org.switchboard.server.directory;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.Modification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.ldif.LdifReader;
import org.apache.directory.api.ldap.model.ldif.LdifUtils;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.name.Rdn;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.schema.SchemaLdif;

/**
 * Puts Switchboard's schema ({@code switchboard-schema-apacheds.ldif}) into the embedded directory: its new types
 * into {@code cn=schema} (which ApacheDS persists), and the case-insensitive matching of the built-in
 * {@code otherMailbox} into ApacheDS' {@code ou=schema} entry, which ApacheDS only applies after a restart: so the
 * freshly extracted schema file is patched before the first load, and the online change plus a restart is the
 * fallback for a first start that was interrupted.
 */
final class DirectorySchemaInstaller {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectorySchemaInstaller.class);
    private static final String OTHER_MAILBOX = "otherMailbox";

    private DirectorySchemaInstaller() {
    }

    /**
     * Loads the schema when the directory does not have it yet, or brings an older one up to date
     * ({@link DirectorySchemaUpgrade}), restarting the service when that is what makes the
     * change apply.
     *
     * @param restart stops the service and starts it again, returning the new one
     * @return the service to use from now on: {@code service}, or the one that replaced it after a restart
     */
    static DirectoryService ensure(DirectoryService service, Callable<DirectoryService> restart) throws Exception {
        DirectoryService current = service;
        boolean schemaLoaded = loadSchema(current);
        if (!schemaLoaded) {
            List<String> upgraded = DirectorySchemaUpgrade.apply(current, subschemaChange());
            if (!upgraded.isEmpty()) {
                LOGGER.info("Directory: schema upgraded, added or replaced {}; restarting once so that indexes on them"
                    + " are built", upgraded);
                current = restart.call();
            }
        }
        if (schemaLoaded && hasCaseIgnoreOtherMailbox(current)) {
            // the partition's indexes on Switchboard's attributes (ieMailAlias, ieListMember...) can only be
            // declared once their types exist: ApacheDS builds them at the next start
            LOGGER.info("Directory: restarting once so that the indexes on Switchboard's attributes are built");
            current = restart.call();
        }
        if (!hasCaseIgnoreOtherMailbox(current)) {
            // the built-in otherMailbox was not patched when the schema was extracted (interrupted first start):
            // change its ou=schema entry now; ApacheDS applies that after a restart only
            applySchemaLdif(current, false);
            LOGGER.info("Directory: restarting once so that the matching rules of otherMailbox apply");
            current = restart.call();
            if (!hasCaseIgnoreOtherMailbox(current)) {
                throw new IllegalStateException("otherMailbox has no case-insensitive matching after the schema load");
            }
        }
        return current;
    }

    /**
     * Applies to freshly extracted schema files the changes that Switchboard's LDIF makes to ApacheDS' built-in
     * {@code ou=schema} entries (the matching rules of otherMailbox), before anything loads them: done online,
     * ApacheDS would only apply them after a restart.
     */
    static void patchBuiltInSchema(File schemaDirectory) throws Exception {
        for (LdifEntry change : schemaLdif()) {
            if (isSubschemaEntry(change)) {
                continue;
            }
            File file = schemaDirectory;
            List<Rdn> rdns = change.getDn().getRdns();
            for (int i = rdns.size() - 1; i >= 0; i--) {
                file = new File(file, rdns.get(i).getName().toLowerCase(Locale.ROOT) + (i == 0 ? ".ldif" : ""));
            }
            if (!file.isFile()) {
                throw new IllegalStateException("ApacheDS schema file " + file + " not found for " + change.getDn());
            }
            Entry entry;
            try (LdifReader reader = new LdifReader(file)) {
                entry = reader.next().getEntry();
            }
            for (Modification modification : change.getModifications()) {
                if (modification.getOperation() != ModificationOperation.REPLACE_ATTRIBUTE) {
                    throw new IllegalStateException("Only replace is supported on " + change.getDn());
                }
                entry.removeAttributes(modification.getAttribute().getUpId());
                entry.add(modification.getAttribute());
            }
            Files.writeString(file.toPath(), "version: 1\n" + LdifUtils.convertToLdif(entry), StandardCharsets.UTF_8);
        }
    }

    /**
     * Loads Switchboard's schema into {@code cn=schema} when the directory does not have it yet.
     *
     * @return true when it was loaded now
     */
    private static boolean loadSchema(DirectoryService service) throws Exception {
        if (service.getSchemaManager().getObjectClassRegistry().contains("ieperson")) {
            return false;
        }
        applySchemaLdif(service, true);
        LOGGER.info("Directory: loaded the Switchboard schema ({})", SchemaLdif.APACHEDS_LDIF);
        return true;
    }

    /** Applies the changes of the schema LDIF to {@code cn=schema} (subschema) or to {@code ou=schema} entries. */
    private static void applySchemaLdif(DirectoryService service, boolean subschema) throws Exception {
        SchemaManager schemaManager = service.getSchemaManager();
        CoreSession admin = service.getAdminSession();
        for (LdifEntry change : schemaLdif()) {
            if (isSubschemaEntry(change) == subschema) {
                admin.modify(new Dn(schemaManager, change.getDn().getName()), change.getModifications());
            }
        }
    }

    private static List<LdifEntry> schemaLdif() throws Exception {
        try (LdifReader reader = new LdifReader()) {
            List<LdifEntry> changes = reader.parseLdif(SchemaLdif.resource(SchemaLdif.APACHEDS_LDIF));
            for (LdifEntry change : changes) {
                if (!change.isChangeModify()) {
                    throw new IllegalStateException("Unexpected change in " + SchemaLdif.APACHEDS_LDIF + ": " + change);
                }
            }
            return changes;
        }
    }

    private static LdifEntry subschemaChange() throws Exception {
        return schemaLdif().stream().filter(DirectorySchemaInstaller::isSubschemaEntry).findFirst()
            .orElseThrow(() -> new IllegalStateException(SchemaLdif.APACHEDS_LDIF + " has no cn=schema change"));
    }

    private static boolean isSubschemaEntry(LdifEntry change) {
        return change.getDn().getName().replace(" ", "").equalsIgnoreCase("cn=schema");
    }

    private static boolean hasCaseIgnoreOtherMailbox(DirectoryService service) throws LdapException {
        AttributeType otherMailbox = service.getSchemaManager().lookupAttributeTypeRegistry(OTHER_MAILBOX);
        return otherMailbox.getEquality() != null;
    }
}
