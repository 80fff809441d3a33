package org.switchboard.server.directory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.constants.SchemaConstants;
import org.apache.directory.api.ldap.model.entry.DefaultModification;
import org.apache.directory.api.ldap.model.entry.Entry;
import org.apache.directory.api.ldap.model.entry.ModificationOperation;
import org.apache.directory.api.ldap.model.exception.LdapException;
import org.apache.directory.api.ldap.model.name.Dn;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.directory.server.core.api.CoreSession;
import org.apache.directory.server.core.api.DirectoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the embedded directory's administrator never keeps ApacheDS' well-known password: a configured
 * password is applied (at every start, so that changing the configuration changes it); otherwise, while the
 * password is still the default, a random one is generated and written to a file readable by the owner only. The
 * log names the file, never the password: logs are kept, copied and shared.
 */
final class AdminPassword {
    private static final Logger LOGGER = LoggerFactory.getLogger(AdminPassword.class);
    private static final String APACHEDS_DEFAULT_PASSWORD = "secret";

    private AdminPassword() {
    }

    /**
     * @param configured   {@code <adminPassword>}, when there is one
     * @param passwordFile where a generated password goes (removed when a password is configured)
     */
    static void ensure(DirectoryService service, Optional<String> configured, Path passwordFile) throws Exception {
        CoreSession admin = service.getAdminSession();
        Dn adminDn = new Dn(service.getSchemaManager(), EmbeddedDirectoryServer.ADMIN_DN);
        Entry entry = admin.lookup(adminDn, SchemaConstants.USER_PASSWORD_AT);
        byte[] stored = entry.get(SchemaConstants.USER_PASSWORD_AT).getBytes();
        if (configured.isPresent()) {
            if (!PasswordUtil.compareCredentials(configured.get().getBytes(StandardCharsets.UTF_8), stored)) {
                set(admin, adminDn, configured.get());
                LOGGER.info("Directory: administrator password ({}) set from the configuration", adminDn);
            }
            if (Files.deleteIfExists(passwordFile)) {
                LOGGER.info("Directory: removed {}, the administrator password now comes from the configuration",
                    passwordFile);
            }
            return;
        }
        if (!PasswordUtil.compareCredentials(APACHEDS_DEFAULT_PASSWORD.getBytes(StandardCharsets.UTF_8), stored)) {
            return;
        }
        String generated = RandomPassword.generate();
        writeOwnerOnly(passwordFile, generated); // no newline: ldapsearch -y sends the file as is
        set(admin, adminDn, generated);
        LOGGER.warn("Directory: generated the administrator password for {}; read it in {} (owner only)",
            adminDn, passwordFile);
    }

    private static void set(CoreSession admin, Dn adminDn, String password) throws LdapException {
        byte[] hashed = PasswordUtil.createStoragePassword(password, LdapSecurityConstants.HASH_METHOD_SSHA512);
        admin.modify(adminDn, new DefaultModification(ModificationOperation.REPLACE_ATTRIBUTE,
            SchemaConstants.USER_PASSWORD_AT, hashed));
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
}
