package org.switchboard.server.lists;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.server.directory.TestDirectory;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnectionPool;

/**
 * What the list manager's tests share: a real embedded ApacheDS for the class, its administrator's pool, the lists
 * over it, a clock the tests move, and lists of their own made in it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ListDirectoryTest {
    protected TestDirectory directory;
    protected LDAPConnectionPool pool;
    protected LdapListDirectory lists;
    protected final MutableClock clock = new MutableClock();

    @BeforeAll
    void startDirectory(@TempDir Path root) throws Exception {
        directory = TestDirectory.start(root);
        pool = directory.adminPool();
        lists = new LdapListDirectory(pool, TestDirectory.SUFFIX);
    }

    @AfterAll
    void stopDirectory() {
        if (pool != null) {
            pool.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    /** A list named {@code <prefix>-<random>@example.com} with these attributes; returns its address. */
    protected String addList(String prefix, String... attributes) throws Exception {
        String address = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        List<String> ldif = new ArrayList<>(List.of("dn: mail=" + address + "," + TestDirectory.SUFFIX,
            "objectClass: top", "objectClass: ielist", "mail: " + address));
        ldif.addAll(List.of(attributes));
        pool.add(new Entry(ldif.toArray(String[]::new)));
        return address;
    }
}
