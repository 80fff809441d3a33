package org.switchboard.server.lists;

import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.mailets.lists.ListDirectory;
import org.switchboard.server.directory.DirectoryConnection;
import org.switchboard.server.directory.DirectoryPools;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * The Distribution List Manager's directory access: the lists of the directory, read and changed as the directory's
 * administrator on a pool of their own (closed before the directory stops).
 */
public class ListsModule extends AbstractModule {
    private static final int POOL_SIZE = 4;

    @Provides
    @Singleton
    ListDirectory listDirectory(DirectoryConnection connection) throws LDAPException {
        LDAPConnectionPool pool = DirectoryPools.open(connection.usersConfiguration(), true, POOL_SIZE,
            "switchboard-lists");
        connection.closeBeforeStop(pool::close);
        return new LdapListDirectory(pool, connection.configuration().suffix());
    }
}
