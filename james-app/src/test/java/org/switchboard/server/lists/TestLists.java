package org.switchboard.server.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.switchboard.server.directory.TestDirectory;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnectionPool;

/** Lists the tests make in the test directory, each with an address of its own. */
final class TestLists {
    private TestLists() {
    }

    /** A list named {@code <prefix>-<random>@example.com} with these attributes; returns its address. */
    static String addList(LDAPConnectionPool pool, String prefix, String... attributes) throws Exception {
        String address = prefix + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        List<String> ldif = new ArrayList<>(List.of("dn: mail=" + address + "," + TestDirectory.SUFFIX,
            "objectClass: top", "objectClass: ielist", "mail: " + address));
        ldif.addAll(List.of(attributes));
        pool.add(new Entry(ldif.toArray(String[]::new)));
        return address;
    }
}
