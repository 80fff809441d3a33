package org.switchboard.server.directory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.api.ldap.schema.extractor.impl.DefaultSchemaLdifExtractor;
import org.apache.directory.api.ldap.schema.loader.LdifSchemaLoader;
import org.apache.directory.api.ldap.schema.manager.impl.DefaultSchemaManager;
import org.apache.directory.server.constants.ServerDNConstants;
import org.apache.directory.server.core.DefaultDirectoryService;
import org.apache.directory.server.core.api.DirectoryService;
import org.apache.directory.server.core.api.InstanceLayout;
import org.apache.directory.server.core.api.InterceptorEnum;
import org.apache.directory.server.core.api.interceptor.Interceptor;
import org.apache.directory.server.core.api.schema.SchemaPartition;
import org.apache.directory.server.core.hash.Ssha512PasswordHashingInterceptor;
import org.apache.directory.server.core.partition.impl.btree.jdbm.JdbmIndex;
import org.apache.directory.server.core.partition.impl.btree.jdbm.JdbmPartition;
import org.apache.directory.server.core.partition.ldif.LdifPartition;
import org.apache.directory.server.core.shared.DefaultDnFactory;

/**
 * Starts ApacheDS' core (no listener) on the instance directory: the schema partition as LDIF files (extracted, and
 * patched by {@link DirectorySchemaInstaller}, at the first start), the {@code system} partition and the
 * Switchboard partition as JDBM files written through on every change, with indexes on the attributes Switchboard
 * searches by, access control on and Switchboard's interceptors in the chain.
 */
final class DirectoryServiceFactory {
    static final String PARTITION_ID = "switchboard";
    private static final String[] INDEXED_ATTRIBUTES = {"mail", "otherMailbox", "ieMailAlias", "ieListMember",
        "ieListDigestMember", "ieRequestToken", "cn", "ou", "dc"};

    // disabled as shipped (m-disabled: TRUE), and ApacheDS' configuration schema, on which none of the others depends
    private static final List<String> UNUSED_SCHEMAS = List.of("adsconfig", "apachedns", "autofs", "corba", "dhcp",
        "mozilla", "nis", "rfc2307bis", "samba");

    private final Path instanceDirectory;
    private final DirectoryConfiguration configuration;

    DirectoryServiceFactory(Path instanceDirectory, DirectoryConfiguration configuration) {
        this.instanceDirectory = instanceDirectory;
        this.configuration = configuration;
    }

    /** A started directory service; nothing is left open when it fails. */
    DirectoryService start() throws Exception {
        Files.createDirectories(instanceDirectory);
        // the JDBM files hold every entry, password hashes included: owner only
        Files.setPosixFilePermissions(instanceDirectory, PosixFilePermissions.fromString("rwx------"));
        InstanceLayout layout = new InstanceLayout(instanceDirectory.toFile());
        DefaultDirectoryService service = new DefaultDirectoryService();
        service.setInstanceLayout(layout);
        service.setInstanceId(PARTITION_ID);
        service.setShutdownHookEnabled(false); // the server stops it, in order
        service.setExitVmOnShutdown(false);

        File partitions = layout.getPartitionsDirectory();
        File schemaDirectory = new File(partitions, "schema");
        if (!schemaDirectory.exists()) {
            new DefaultSchemaLdifExtractor(partitions).extractOrCopy();
            leaveOutUnusedSchemas(schemaDirectory);
            DirectorySchemaInstaller.patchBuiltInSchema(schemaDirectory);
        }
        SchemaManager schemaManager = new DefaultSchemaManager(new LdifSchemaLoader(schemaDirectory));
        schemaManager.loadAllEnabled();
        if (!schemaManager.getErrors().isEmpty()) {
            throw new IllegalStateException("ApacheDS schema in " + schemaDirectory + " does not load: "
                + schemaManager.getErrors());
        }
        service.setSchemaManager(schemaManager);
        DefaultDnFactory dnFactory = new DefaultDnFactory(schemaManager, 10_000);
        service.setDnFactory(dnFactory);

        LdifPartition schemaLdif = new LdifPartition(schemaManager, dnFactory);
        schemaLdif.setPartitionPath(schemaDirectory.toURI());
        SchemaPartition schemaPartition = new SchemaPartition(schemaManager);
        schemaPartition.setWrappedPartition(schemaLdif);
        service.setSchemaPartition(schemaPartition);

        service.setSystemPartition(jdbmPartition(schemaManager, dnFactory, partitions, "system",
            ServerDNConstants.SYSTEM_DN));
        JdbmPartition switchboard = jdbmPartition(schemaManager, dnFactory, partitions, PARTITION_ID,
            configuration.suffix());
        for (String attribute : INDEXED_ATTRIBUTES) {
            // before the first schema load, Switchboard's attribute types (and otherMailbox's matching) are missing:
            // their indexes come with the restart that follows it
            AttributeType type = schemaManager.getAttributeType(attribute);
            if (type != null && type.getEquality() != null) {
                switchboard.addIndex(new JdbmIndex<>(attribute, false));
            }
        }
        service.addPartition(switchboard);

        service.getChangeLog().setEnabled(false);
        service.setDenormalizeOpAttrsEnabled(true);
        // the rules are the ACI of DirectoryAccessControl; the administrator bypasses them (and reads the hashes:
        // the ACI keeps every userPassword but one's own from users, so hiding them from everyone is not needed)
        service.setAccessControlEnabled(true);
        service.setAllowAnonymousAccess(configuration.allowAnonymousAccess());
        service.setPasswordHidden(false);
        service.setMaxPDUSize(DirectoryListeners.MAX_PDU_SIZE); // the LDAP decoder reads the limit here
        service.setInterceptors(interceptors(service, schemaManager));
        try {
            service.startup();
        } catch (LdapException | RuntimeException e) {
            try {
                service.shutdown(); // releases the instance lock and the partitions opened so far
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return service;
    }

    /**
     * Removes from a freshly extracted schema the schemas ApacheDS ships disabled and its own configuration schema
     * ({@code adsconfig}, for a configuration partition this server does not have): nothing uses them, and the schema
     * partition reads every entry at each start (a third of them were these), on the path to the SMTP banner. An
     * administrator who needs one adds it to {@code ou=schema} over LDAP.
     */
    private static void leaveOutUnusedSchemas(File schemaDirectory) throws IOException {
        Path schemas = schemaDirectory.toPath().resolve("ou=schema");
        for (String schema : UNUSED_SCHEMAS) {
            Path entries = schemas.resolve("cn=" + schema);
            if (Files.isDirectory(entries)) {
                try (Stream<Path> files = Files.walk(entries)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
            Files.deleteIfExists(schemas.resolve("cn=" + schema + ".ldif"));
        }
    }

    private static JdbmPartition jdbmPartition(SchemaManager schemaManager, DefaultDnFactory dnFactory,
                                               File partitions, String id, String suffix) throws LdapException {
        JdbmPartition partition = new JdbmPartition(schemaManager, dnFactory);
        partition.setId(id);
        partition.setPartitionPath(new File(partitions, id).toURI());
        partition.setSuffixDn(new Dn(schemaManager, suffix));
        partition.setSyncOnWrite(true);
        return partition;
    }

    /**
     * ApacheDS' default chain plus Switchboard's guard (after normalization, before authentication), a fix for
     * schema changes under access control (after the ACI interceptor) and the hashing of clear-text passwords
     * (where ApacheDS' own configuration puts it: after the exception interceptor, before the schema checks). The
     * list is set as a whole: ApacheDS' addFirst/addLast/addAfter miss the operations an interceptor inherits (the
     * hashing interceptor's add and modify).
     */
    private List<Interceptor> interceptors(DefaultDirectoryService service, SchemaManager schemaManager)
        throws LdapException {
        List<Interceptor> chain = new ArrayList<>(service.getInterceptors());
        chain.add(indexAfter(chain, InterceptorEnum.NORMALIZATION_INTERCEPTOR),
            new DirectoryGuardInterceptor(new Dn(schemaManager, configuration.suffix())));
        chain.add(indexAfter(chain, InterceptorEnum.ACI_AUTHORIZATION_INTERCEPTOR), new SchemaModifyAciFix());
        chain.add(indexAfter(chain, InterceptorEnum.EXCEPTION_INTERCEPTOR), new Ssha512PasswordHashingInterceptor());
        return chain;
    }

    private static int indexAfter(List<Interceptor> chain, InterceptorEnum interceptor) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).getName().equals(interceptor.getName())) {
                return i + 1;
            }
        }
        throw new IllegalStateException("ApacheDS has no " + interceptor.getName() + " in its interceptor chain");
    }
}
