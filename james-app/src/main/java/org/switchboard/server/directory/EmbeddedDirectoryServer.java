package org.switchboard.server.directory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.constants.SchemaConstants;
import org.apache.directory.api.ldap.model.entry.DefaultEntry;
import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.Modification;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.ldif.LdifReader;
import org.apache.directory.api.ldap.model.ldif.LdifUtils;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.name.Rdn;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.directory.api.ldap.model.schema.AttributeType;
import org.apache.directory.api.ldap.model.schema.SchemaManager;
import org.apache.directory.api.ldap.schema.extractor.impl.DefaultSchemaLdifExtractor;
import org.apache.directory.api.ldap.schema.loader.LdifSchemaLoader;
import org.apache.directory.api.ldap.schema.manager.impl.DefaultSchemaManager;
import org.apache.directory.server.constants.ServerDNConstants;
import org.apache.directory.server.core.DefaultDirectoryService;
import org.apache.directory.server.core.api.CoreSession;
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
import org.apache.directory.server.ldap.LdapServer;
import org.apache.directory.server.ldap.handlers.extended.PwdModifyHandler;
import org.apache.directory.server.ldap.handlers.extended.StartTlsHandler;
import org.apache.directory.server.ldap.handlers.extended.WhoAmIHandler;
import org.apache.directory.server.protocol.shared.transport.TcpTransport;
import org.apache.directory.server.protocol.shared.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.schema.SchemaLdif;

/**
 * The embedded directory: ApacheDS 2.0.0.AM27 running inside the server's JVM.
 *
 * <p>Its instance lives in {@value #INSTANCE_DIRECTORY} (schema partition as LDIF files, system partition and the
 * Switchboard partition as JDBM files, written through on every change). The first start loads Switchboard's schema
 * ({@code switchboard-schema-apacheds.ldif}, into {@code cn=schema}, which ApacheDS persists), creates the DIT and
 * replaces ApacheDS' well-known administrator password with a configured or a generated one, all through the core
 * API before any listener opens; later starts find everything in place and change nothing. Then the LDAP listener
 * (with StartTLS) and the LDAPS listener open on the configured address, with the server's PEM key pair.
 *
 * <p>Safety for LDAP clients: access control is on, with the rules of {@link DirectoryAccessControl} (checked, and
 * put back if missing, at every start); clear-text passwords written over LDAP are stored {@code {SSHA512}}
 * (ApacheDS' hashing interceptor); the Password Modify extended operation ({@code ldappasswd}) is registered;
 * {@link DirectoryGuardInterceptor} covers what the ACI cannot express (filters, anonymous searches from the root,
 * disabled accounts); searches by anyone but the administrator are limited to {@value #MAX_SIZE_LIMIT} entries and
 * {@value #MAX_TIME_LIMIT_SECONDS} s, and requests to {@value #MAX_PDU_SIZE} bytes.
 *
 * <p>{@link #start()} stops whatever it had started when it fails, and {@link #stop()} can always be called: an
 * ApacheDS listener left running keeps the JVM alive.
 */
public final class EmbeddedDirectoryServer implements AutoCloseable {
    public static final String INSTANCE_DIRECTORY = "var/store/directory";
    public static final String ADMIN_PASSWORD_FILE = "var/directory-admin.password";
    public static final String ADMIN_DN = ServerDNConstants.ADMIN_SYSTEM_DN;
    static final String PARTITION_ID = "switchboard";
    private static final String APACHEDS_DEFAULT_PASSWORD = "secret";
    private static final String OTHER_MAILBOX = "otherMailbox";
    private static final String[] INDEXED_ATTRIBUTES = {"mail", "otherMailbox", "ieMailAlias", "ieListMember",
        "ieListDigestMember", "ieRequestToken", "cn", "ou", "dc"};
    /** Most entries a search by anyone but the administrator returns (then: sizeLimitExceeded). */
    static final int MAX_SIZE_LIMIT = 1000;
    /** Longest a search by anyone but the administrator runs (then: timeLimitExceeded). */
    static final int MAX_TIME_LIMIT_SECONDS = 30;
    /** Largest LDAP request accepted; a larger one closes the connection. */
    static final int MAX_PDU_SIZE = 2 * 1024 * 1024;
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedDirectoryServer.class);

    private final DirectoryConfiguration configuration;
    private final Path serverRoot;
    private final Path instanceDirectory;
    private DirectoryService directoryService;
    private LdapServer ldapServer;

    /**
     * @param serverRoot the server's home: {@code var/} and the relative TLS paths of the configuration are
     *                   resolved against it
     */
    public EmbeddedDirectoryServer(DirectoryConfiguration configuration, Path serverRoot) {
        this.configuration = configuration;
        this.serverRoot = serverRoot.toAbsolutePath();
        this.instanceDirectory = this.serverRoot.resolve(INSTANCE_DIRECTORY);
    }

    /**
     * Starts the directory and its listeners; does nothing when the configuration names an external server.
     *
     * @throws DirectoryStartupException when it cannot start; whatever was started is stopped again
     */
    public synchronized void start() {
        if (configuration.isExternal()) {
            LOGGER.info("Directory: using the external LDAP server {}, no embedded server started",
                configuration.external().get());
            return;
        }
        if (directoryService != null) {
            throw new IllegalStateException("The embedded directory server is already started");
        }
        long begin = System.nanoTime();
        try {
            char[] keyStorePassword = generatePassword().toCharArray();
            Optional<KeyStore> keyStore = tlsKeyStore(keyStorePassword); // fails early on a bad key pair
            directoryService = startDirectoryService();
            boolean schemaLoaded = ensureSchema();
            if (schemaLoaded && hasCaseIgnoreOtherMailbox()) {
                // the partition's indexes on Switchboard's attributes (ieMailAlias, ieListMember...) can only be
                // declared once their types exist: ApacheDS builds them at the next start
                LOGGER.info("Directory: restarting once so that the indexes on Switchboard's attributes are built");
                directoryService.shutdown();
                directoryService = startDirectoryService();
            }
            if (!hasCaseIgnoreOtherMailbox()) {
                // the built-in otherMailbox was not patched when the schema was extracted (interrupted first
                // start): change its ou=schema entry now; ApacheDS applies that after a restart only
                applySchemaLdif(false);
                LOGGER.info("Directory: restarting once so that the matching rules of otherMailbox apply");
                directoryService.shutdown();
                directoryService = startDirectoryService();
                if (!hasCaseIgnoreOtherMailbox()) {
                    throw new IllegalStateException("otherMailbox has no case-insensitive matching after the schema load");
                }
            }
            ensureDit();
            DirectoryAccessControl.ensure(directoryService, configuration.suffix(), configuration.allowAnonymousAccess());
            ensureAdminPassword();
            ldapServer = startLdapServer(keyStore, keyStorePassword);
            LOGGER.info("Directory: ApacheDS started in {} ms, suffix {}, {}", (System.nanoTime() - begin) / 1_000_000,
                configuration.suffix(), listeners());
        } catch (Exception e) {
            stop();
            throw new DirectoryStartupException("The embedded directory server did not start: " + e.getMessage(), e);
        }
    }

    /** Stops the listeners, then the directory service. Safe to call at any time, any number of times. */
    public synchronized void stop() {
        if (ldapServer != null) {
            try {
                ldapServer.stop();
            } catch (RuntimeException e) {
                LOGGER.warn("Directory: error while stopping the LDAP listeners", e);
            }
            ldapServer = null;
        }
        if (directoryService != null) {
            try {
                if (directoryService.isStarted()) {
                    directoryService.shutdown();
                }
            } catch (Exception e) {
                LOGGER.warn("Directory: error while stopping ApacheDS", e);
            }
            directoryService = null;
            LOGGER.info("Directory: ApacheDS stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return ldapServer != null && ldapServer.isStarted();
    }

    public DirectoryConfiguration configuration() {
        return configuration;
    }

    /** The URL clients use: the external server's, or {@code ldap://<bindAddress>:<ldapPort>}. */
    public String ldapUrl() {
        return configuration.external().map(Object::toString)
            .orElse("ldap://" + hostForUrl(configuration.bindAddress()) + ":" + configuration.ldapPort());
    }

    public Path adminPasswordFile() {
        return serverRoot.resolve(ADMIN_PASSWORD_FILE);
    }

    /** The running ApacheDS service, for in-process administration (null when stopped). */
    public synchronized DirectoryService directoryService() {
        return directoryService;
    }

    /** The running LDAP listeners (null when stopped): for tests. */
    synchronized LdapServer ldapServer() {
        return ldapServer;
    }

    private DirectoryService startDirectoryService() throws Exception {
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
            patchBuiltInSchema(schemaDirectory);
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

        JdbmPartition system = new JdbmPartition(schemaManager, dnFactory);
        system.setId("system");
        system.setPartitionPath(new File(partitions, "system").toURI());
        system.setSuffixDn(new Dn(schemaManager, ServerDNConstants.SYSTEM_DN));
        system.setSyncOnWrite(true);
        service.setSystemPartition(system);

        JdbmPartition switchboard = new JdbmPartition(schemaManager, dnFactory);
        switchboard.setId(PARTITION_ID);
        switchboard.setPartitionPath(new File(partitions, PARTITION_ID).toURI());
        switchboard.setSuffixDn(new Dn(schemaManager, configuration.suffix()));
        switchboard.setSyncOnWrite(true);
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
        service.setMaxPDUSize(MAX_PDU_SIZE); // the LDAP decoder reads the limit here, not in the LdapServer
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

    /**
     * Applies to freshly extracted schema files the changes that Switchboard's LDIF makes to ApacheDS' built-in
     * {@code ou=schema} entries (the matching rules of otherMailbox), before anything loads them: done online,
     * ApacheDS would only apply them after a restart.
     */
    private static void patchBuiltInSchema(File schemaDirectory) throws Exception {
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
    private boolean ensureSchema() throws Exception {
        if (directoryService.getSchemaManager().getObjectClassRegistry().contains("ieperson")) {
            return false;
        }
        applySchemaLdif(true);
        LOGGER.info("Directory: loaded the Switchboard schema ({})", SchemaLdif.APACHEDS_LDIF);
        return true;
    }

    /** Applies the changes of the schema LDIF to {@code cn=schema} (subschema) or to {@code ou=schema} entries. */
    private void applySchemaLdif(boolean subschema) throws Exception {
        SchemaManager schemaManager = directoryService.getSchemaManager();
        CoreSession admin = directoryService.getAdminSession();
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

    private static boolean isSubschemaEntry(LdifEntry change) {
        return change.getDn().getName().replace(" ", "").equalsIgnoreCase("cn=schema");
    }

    private boolean hasCaseIgnoreOtherMailbox() throws LdapException {
        AttributeType otherMailbox = directoryService.getSchemaManager().lookupAttributeTypeRegistry(OTHER_MAILBOX);
        return otherMailbox.getEquality() != null;
    }

    /** Creates the suffix entry and the bootstrap DIT when the suffix entry is missing. */
    private void ensureDit() throws Exception {
        SchemaManager schemaManager = directoryService.getSchemaManager();
        CoreSession admin = directoryService.getAdminSession();
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

    /**
     * Makes sure the administrator never keeps ApacheDS' well-known password: a configured password is applied
     * (at every start, so that changing the configuration changes it); otherwise, while the password is still the
     * default, a random one is generated, written to {@value #ADMIN_PASSWORD_FILE} (owner-only); the log names the file, never the password.
     */
    private void ensureAdminPassword() throws Exception {
        CoreSession admin = directoryService.getAdminSession();
        Dn adminDn = new Dn(directoryService.getSchemaManager(), ADMIN_DN);
        Entry entry = admin.lookup(adminDn, SchemaConstants.USER_PASSWORD_AT);
        byte[] stored = entry.get(SchemaConstants.USER_PASSWORD_AT).getBytes();
        Optional<String> configured = configuration.adminPassword();
        if (configured.isPresent()) {
            if (!PasswordUtil.compareCredentials(configured.get().getBytes(StandardCharsets.UTF_8), stored)) {
                setAdminPassword(admin, adminDn, configured.get());
                LOGGER.info("Directory: administrator password ({}) set from the configuration", ADMIN_DN);
            }
            if (Files.deleteIfExists(adminPasswordFile())) {
                LOGGER.info("Directory: removed {}, the administrator password now comes from the configuration",
                    adminPasswordFile());
            }
            return;
        }
        if (!PasswordUtil.compareCredentials(APACHEDS_DEFAULT_PASSWORD.getBytes(StandardCharsets.UTF_8), stored)) {
            return;
        }
        String generated = generatePassword();
        writeOwnerOnly(adminPasswordFile(), generated); // no newline: ldapsearch -y sends the file as is
        setAdminPassword(admin, adminDn, generated);
        // the password itself never goes to a log: logs are kept, copied and shared
        LOGGER.warn("Directory: generated the administrator password for {}; read it in {} (owner only)",
            ADMIN_DN, adminPasswordFile());
    }

    private static void setAdminPassword(CoreSession admin, Dn adminDn, String password) throws LdapException {
        byte[] hashed = PasswordUtil.createStoragePassword(password, LdapSecurityConstants.HASH_METHOD_SSHA512);
        admin.modify(adminDn, new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE,
            SchemaConstants.USER_PASSWORD_AT, hashed));
    }

    private static String generatePassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return password.toString();
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), "directory-admin", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The server's PEM key pair as a key store, when a listener needs TLS. */
    private Optional<KeyStore> tlsKeyStore(char[] password) {
        if (!configuration.startTls() && configuration.ldapsPort() == 0) {
            return Optional.empty();
        }
        return Optional.of(PemKeyStore.load(resolve(configuration.privateKey()), resolve(configuration.certificates()),
            password));
    }

    private LdapServer startLdapServer(Optional<KeyStore> keyStore, char[] keyStorePassword) throws Exception {
        LdapServer server = new LdapServer();
        server.setServiceName("Switchboard directory");
        server.setDirectoryService(directoryService);
        TcpTransport ldap = new TcpTransport(configuration.bindAddress(), configuration.ldapPort());
        Transport[] transports;
        if (configuration.ldapsPort() > 0) {
            TcpTransport ldaps = new TcpTransport(configuration.bindAddress(), configuration.ldapsPort());
            ldaps.setEnableSSL(true);
            transports = new Transport[] {ldap, ldaps};
        } else {
            transports = new Transport[] {ldap};
        }
        server.setTransports(transports);
        // for everyone but the administrator (ApacheDS does not limit the administrator's searches)
        server.setMaxSizeLimit(MAX_SIZE_LIMIT);
        server.setMaxTimeLimit(MAX_TIME_LIMIT_SECONDS);
        server.setMaxPDUSize(MAX_PDU_SIZE);
        server.addExtendedOperationHandler(new WhoAmIHandler());
        server.addExtendedOperationHandler(new PwdModifyHandler());
        if (configuration.startTls()) {
            server.addExtendedOperationHandler(new StartTlsHandler());
        }
        Path keyStoreFile = null;
        try {
            if (keyStore.isPresent()) {
                // ApacheDS reads its keys from a key store file, once, at start
                keyStoreFile = PemKeyStore.write(keyStore.get(), keyStorePassword, instanceDirectory.resolve("run"));
                server.setKeystoreFile(keyStoreFile.toString());
                server.setCertificatePassword(new String(keyStorePassword));
            }
            ldapServer = server; // so that stop() closes a listener opened before a failure
            server.start();
        } finally {
            if (keyStoreFile != null) {
                Files.deleteIfExists(keyStoreFile);
            }
        }
        return server;
    }

    private Path resolve(String path) {
        return serverRoot.resolve(path);
    }

    private String listeners() {
        StringBuilder text = new StringBuilder("LDAP on " + configuration.bindAddress() + ":" + configuration.ldapPort());
        if (configuration.startTls()) {
            text.append(" (StartTLS)");
        }
        if (configuration.ldapsPort() > 0) {
            text.append(", LDAPS on ").append(configuration.bindAddress()).append(':').append(configuration.ldapsPort());
        }
        return text.toString();
    }

    private static String hostForUrl(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** The embedded directory failed to start (and was stopped again). */
    public static final class DirectoryStartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DirectoryStartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
