package org.switchboard.server.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.core.partition.impl.btree.AbstractBTreePartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexes on Switchboard's attributes exist from the first start on: before the schema is loaded ApacheDS
 * cannot declare them, so the first start restarts once after loading it. Without them, a search on ieMailAlias
 * (every routing lookup) scans the whole partition until the server is restarted.
 */
class EmbeddedDirectoryIndexTest {

    @Test
    void switchboardAttributesAreIndexedFromTheFirstStart(@TempDir Path root) throws Exception {
        try (TestDirectory directory = TestDirectory.start(root)) {
            DirectoryService service = directory.server().directoryService();
            SchemaManager schemaManager = service.getSchemaManager();
            AbstractBTreePartition partition = (AbstractBTreePartition) service.getPartitionNexus()
                .getPartition(new Dn(schemaManager, TestDirectory.SUFFIX));
            for (String attribute : List.of("mail", "otherMailbox", "ieMailAlias", "ieListMember",
                "ieListDigestMember", "ieRequestToken")) {
                assertThat(partition.hasUserIndexOn(schemaManager.lookupAttributeTypeRegistry(attribute)))
                    .as("index on %s", attribute).isTrue();
            }
        }
    }
}
