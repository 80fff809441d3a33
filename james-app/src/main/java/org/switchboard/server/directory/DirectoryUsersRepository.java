package org.switchboard.server.directory;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.user.lib.UsersRepositoryImpl;

/**
 * James' users repository on {@code ieperson} entries of the directory, writable (james-cli AddUser, RemoveUser,
 * SetPassword, ListUsers act on the directory). Virtual hosting is always on: logins are full addresses.
 */
public class DirectoryUsersRepository extends UsersRepositoryImpl<DirectoryUsersDAO> {

    public DirectoryUsersRepository(DomainList domainList, DirectoryUsersDAO usersDAO) {
        super(domainList, usersDAO);
        setEnableVirtualHosting(true);
    }

    /**
     * James' settings ({@code administratorId}, {@code verifyFailureDelay}); {@code enableVirtualHosting} may only
     * be true (people are named by their full address).
     */
    @Override
    public void configure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        if (!configuration.getBoolean("enableVirtualHosting", true)) {
            throw new ConfigurationException("DirectoryUsersRepository: enableVirtualHosting must be true: "
                + "directory users are named by their full address");
        }
        super.configure(configuration);
    }

    public DirectoryUsersDAO dao() {
        return usersDAO;
    }
}
