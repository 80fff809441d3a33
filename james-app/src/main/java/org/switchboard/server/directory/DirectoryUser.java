package org.switchboard.server.directory;

import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.user.api.model.User;

import com.unboundid.ldap.sdk.DN;

/**
 * A user read from its {@code ieperson} entry. {@link #verifyPassword} binds as the entry's DN (so the directory
 * checks the stored hash); {@link #setPassword} only prepares the new hash, which
 * {@code UsersRepository.updateUser(user)} writes (the way James' {@code SetPassword} works).
 */
public final class DirectoryUser implements User {
    private final Username username;
    private final DN dn;
    /** The entry's disabled attribute ({@code ieAccountDisabled} by default) holds {@code TRUE}: no login. */
    private final boolean disabled;
    private final DirectoryUsersDAO dao;
    private volatile byte[] pendingHashedPassword;

    DirectoryUser(Username username, String dn, boolean disabled, DirectoryUsersDAO dao) {
        this.username = username;
        try {
            this.dn = new DN(dn);
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            throw new IllegalArgumentException("Invalid DN from the directory: " + dn, e);
        }
        this.disabled = disabled;
        this.dao = dao;
    }

    @Override
    public Username getUserName() {
        return username;
    }

    /** The entry's DN. */
    public DN dn() {
        return dn;
    }

    @Override
    public boolean verifyPassword(String password) {
        return !disabled && dao.bind(dn, password);
    }

    @Override
    public boolean setPassword(String newPass) {
        if (newPass == null || newPass.isEmpty()) {
            return false;
        }
        pendingHashedPassword = DirectoryUsersDAO.hash(newPass);
        return true;
    }

    Optional<byte[]> pendingHashedPassword() {
        return Optional.ofNullable(pendingHashedPassword);
    }

    void passwordStored() {
        pendingHashedPassword = null;
    }

    @Override
    public String toString() {
        return "DirectoryUser{" + username.asString() + ", " + dn + (disabled ? ", disabled" : "") + "}";
    }
}
