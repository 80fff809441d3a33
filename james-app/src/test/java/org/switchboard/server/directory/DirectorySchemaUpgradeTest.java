package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.directory.api.ldap.model.entry.Value;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.ldif.LdifReader;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.directory.schema.SchemaLdif;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;

/**
 * A directory installed with an older Switchboard schema (here: without {@code ieListBan}, with another description of
 * {@code ieListFooter}, and {@code ielist} as it was then) is brought up to date at its next start.
 */
class DirectorySchemaUpgradeTest {
    private static final String LIST = "mail=team@example.com," + TestDirectory.SUFFIX;
    private static final String IELIST = "( 1.3.6.1.4.1.32473.1.2.5 ";
    private static final String IE_LIST_BAN = "( 1.3.6.1.4.1.32473.1.1.69 ";
    private static final String IE_LIST_FOOTER = "( 1.3.6.1.4.1.32473.1.1.34 ";

    @Test
    void anOlderSchemaGainsNewAndChangedDefinitionsAtTheNextStartWithEntriesIntact(@TempDir Path root)
        throws Exception {
        DirectoryConfiguration configuration = TestDirectory.configuration(root);
        String shippedFooter = shipped(IE_LIST_FOOTER);
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root);
             LDAPConnection admin = admin(server, configuration)) {
            admin.modify("cn=schema",
                new Modification(ModificationType.DELETE, "objectClasses", shipped(IELIST)),
                new Modification(ModificationType.DELETE, "attributeTypes", shipped(IE_LIST_BAN)),
                new Modification(ModificationType.DELETE, "attributeTypes", shippedFooter));
            admin.modify("cn=schema",
                new Modification(ModificationType.ADD, "attributeTypes",
                    shippedFooter.replaceFirst("DESC '[^']*'", "DESC 'the footer as it was described before'")),
                new Modification(ModificationType.ADD, "objectClasses",
                    shipped(IELIST).replace(" \\$ ieListBan", "").replace("$ ieListBan", "")));
            assertThat(server.directoryService().getSchemaManager().getAttributeType("ieListBan")).isNull();
            admin.add("dn: " + LIST, "objectClass: ielist", "mail: team@example.com", "ieListFooter: Be kind",
                "ieListMember: ann@example.com");
            assertThatThrownBy(() -> admin.modify(LIST, new Modification(ModificationType.ADD, "ieListBan", "@spam.example")))
                .isInstanceOfSatisfying(LDAPException.class,
                    e -> assertThat(e.getResultCode()).isNotEqualTo(ResultCode.SUCCESS));
        }

        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root);
             LDAPConnection admin = admin(server, configuration)) {
            SchemaManager schema = server.directoryService().getSchemaManager();
            assertThat(schema.getAttributeType("ieListBan")).isNotNull();
            assertThat(schema.getAttributeType("ieListFooter").getDescription())
                .isEqualTo("Switchboard: text appended to list messages");
            admin.modify(LIST, new Modification(ModificationType.ADD, "ieListBan", "@spam.example"));
            SearchResultEntry list = admin.getEntry(LIST);
            assertThat(list.getAttributeValue("ieListFooter")).isEqualTo("Be kind");
            assertThat(list.getAttributeValue("ieListMember")).isEqualTo("ann@example.com");
            assertThat(list.getAttributeValue("ieListBan")).isEqualTo("@spam.example");
            assertThat(admin.search(TestDirectory.SUFFIX, SearchScope.SUB,
                "(ieListMember=ann@example.com)").getEntryCount()).as("the index on ieListMember still answers")
                .isEqualTo(1);
            assertThat(DirectorySchemaUpgrade.apply(server.directoryService(), subschemaChange()))
                .as("an up-to-date schema is left alone").isEmpty();
        }
    }

    @Test
    void aFreshDirectoryNeedsNoUpgrade(@TempDir Path root) throws Exception {
        DirectoryConfiguration configuration = TestDirectory.configuration(root);
        try (EmbeddedDirectoryServer server = new EmbeddedDirectoryServer(configuration, root)) {
            server.start();
            assertThat(DirectorySchemaUpgrade.apply(server.directoryService(), subschemaChange())).isEmpty();
        }
    }

    private static LDAPConnection admin(EmbeddedDirectoryServer server, DirectoryConfiguration configuration)
        throws Exception {
        server.start();
        return TestDirectory.bind(configuration.ldapPort(), EmbeddedDirectoryServer.ADMIN_DN,
            Files.readString(server.adminPasswordFile()).strip());
    }

    private static String shipped(String oidPrefix) throws Exception {
        for (org.apache.directory.api.ldap.model.entry.Modification modification
            : subschemaChange().getModifications()) {
            for (Value value : modification.getAttribute()) {
                if (value.getString().startsWith(oidPrefix)) {
                    return value.getString();
                }
            }
        }
        throw new IllegalStateException("No definition " + oidPrefix);
    }

    private static LdifEntry subschemaChange() throws Exception {
        try (LdifReader reader = new LdifReader()) {
            List<LdifEntry> changes = reader.parseLdif(SchemaLdif.resource(SchemaLdif.APACHEDS_LDIF));
            return changes.get(0);
        }
    }
}
