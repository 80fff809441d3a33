package org.switchboard.server.directory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.mail.internet.AddressException;


import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.user.api.AlreadyExistInUsersRepositoryException;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.apache.james.user.lib.UsersDAO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.directory.routing.DirectoryRouting;
import org.switchboard.directory.routing.DirectoryUnavailableException;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

/**
 * James users stored as {@code ieperson} entries of the directory (writable).
 *
 * <ul>
 *   <li>A user is the {@code ieperson} entry whose {@code mail} equals the full address (virtual hosting is always
 *       on), searched in the whole subtree of the suffix with {@code (&(objectClass=ieperson)(mail=<address>))};
 *       matching is case-insensitive ({@code mail} uses {@code caseIgnoreIA5Match}). Where the entry sits does not
 *       matter, so entries added with {@code ldapadd} anywhere below the suffix are users at once.</li>
 *   <li>{@link #addUser} creates {@code mail=<address>} below the dc= branch of the address' domain
 *       ({@link #domainDn}), creating missing {@code dc=} entries (object class {@code domain}).</li>
 *   <li>Passwords are written hashed ({@code {SSHA512}}), whatever server is behind (the embedded one would hash
 *       a clear value itself, an external one may not).</li>
 *   <li>A password is checked by binding as the entry's DN on a separate pool of connections. An entry whose
 *       disabled attribute ({@code ieAccountDisabled} by default) is {@code TRUE}, or that has no
 *       {@code userPassword}, cannot log in. Empty passwords are refused before any bind (an empty simple bind
 *       would be an anonymous bind).</li>
 * </ul>
 */
public class DirectoryUsersDAO implements UsersDAO, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DirectoryUsersDAO.class);
    static final String PERSON_CLASS = "ieperson";
    static final String MAIL = "mail";
    static final String USER_PASSWORD = "userPassword";
    static final LdapSecurityConstants HASH = LdapSecurityConstants.HASH_METHOD_SSHA512;
    private static final int PAGE_SIZE = 500;

    private final DirectoryUsersConfiguration configuration;
    private final DN suffix;
    private final LDAPConnectionPool adminPool;
    private final LDAPConnectionPool bindPool;
    private final DirectoryRouting routing;

    /** @param routing answers {@link #contains} from its cache; null: every question goes to the directory */
    public DirectoryUsersDAO(DirectoryUsersConfiguration configuration, DirectoryRouting routing) throws LDAPException {
        this.configuration = configuration;
        this.routing = routing;
        this.suffix = new DN(configuration.suffix());
        adminPool = DirectoryPools.open(configuration, true, configuration.poolSize(), "switchboard-users-admin");
        try {
            bindPool = DirectoryPools.open(configuration, false, configuration.poolSize(), "switchboard-users-bind");
        } catch (LDAPException e) {
            adminPool.close();
            throw e;
        }
    }

    public DirectoryUsersConfiguration configuration() {
        return configuration;
    }

    @Override
    public boolean getDefaultVirtualHostingValue() {
        return true;
    }

    @Override
    public Optional<DirectoryUser> getUserByName(Username name) throws UsersRepositoryException {
        Optional<SearchResultEntry> entry = find(name, MAIL, configuration.disabledAttribute());
        return entry.map(e -> new DirectoryUser(canonicalName(name, e), e.getDN(),
            "TRUE".equalsIgnoreCase(e.getAttributeValue(configuration.disabledAttribute())), this));
    }

    @Override
    public void updateUser(User user) throws UsersRepositoryException {
        if (!(user instanceof DirectoryUser)) {
            throw new UsersRepositoryException("Cannot update " + user.getUserName().asString()
                + ": not a directory user (" + user.getClass().getName() + ")");
        }
        DirectoryUser directoryUser = (DirectoryUser) user;
        Optional<byte[]> hashed = directoryUser.pendingHashedPassword();
        if (hashed.isEmpty()) {
            return;
        }
        try {
            adminPool.modify(directoryUser.dn().toString(),
                new Modification(ModificationType.REPLACE, USER_PASSWORD, hashed.get()));
            directoryUser.passwordStored();
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                throw new UsersRepositoryException("User " + user.getUserName().asString() + " no longer exists", e);
            }
            throw failure("update the password of " + user.getUserName().asString(), e);
        }
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        SearchResultEntry entry = find(name)
            .orElseThrow(() -> new UsersRepositoryException("User " + name.asString() + " does not exist"));
        try {
            adminPool.delete(entry.getDN());
            forgetCachedAnswers();
            LOGGER.info("Directory: removed user {} ({})", name.asString(), entry.getDN());
        } catch (LDAPException e) {
            throw failure("remove " + name.asString(), e);
        }
    }

    /**
     * Answered by the routing service's cache (invalidated on directory changes) when the name is the owner address
     * of an {@code ieperson} entry or unknown to the directory: the mail pipeline asks this once per local recipient.
     * Other names (an alias, a second {@code mail} value) are rare here and searched in the directory.
     */
    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        Optional<MailAddress> address = asMailAddress(name);
        if (routing != null && address.isPresent()) {
            Optional<DirectoryEntry> entry;
            try {
                entry = routing.lookup(address.get());
            } catch (DirectoryUnavailableException e) {
                throw new UsersRepositoryException("Directory: cannot look up " + name.asString() + ": " + e.getMessage(), e);
            }
            if (entry.isEmpty()) {
                return false;
            }
            if (entry.get().hasObjectClass(PERSON_CLASS) && entry.get().mail().equals(address.get())) {
                return true;
            }
        }
        return find(name).isPresent();
    }

    /** Our own writes are seen at once, without waiting for the routing service's change notification. */
    private void forgetCachedAnswers() {
        if (routing != null) {
            routing.invalidateAll();
        }
    }

    private static Optional<MailAddress> asMailAddress(Username name) {
        try {
            return Optional.of(new MailAddress(name.asString()));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    @Override
    public int countUsers() throws UsersRepositoryException {
        return allMails().size();
    }

    @Override
    public Iterator<Username> list() throws UsersRepositoryException {
        List<Username> users = new ArrayList<>();
        for (String mail : allMails()) {
            try {
                users.add(Username.of(mail));
            } catch (IllegalArgumentException e) {
                LOGGER.warn("Directory: ignoring ieperson with an unusable mail value '{}': {}", mail, e.getMessage());
            }
        }
        return users.iterator();
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        if (!username.hasDomainPart()) {
            throw new UsersRepositoryException("A directory user needs a full address: " + username.asString());
        }
        if (contains(username)) {
            throw new AlreadyExistInUsersRepositoryException(username.asString() + " already exists");
        }
        String address = username.asString();
        String localPart = username.getLocalPart();
        List<String> words = Arrays.stream(localPart.split("[._+\\-]+")).filter(w -> !w.isEmpty()).toList();
        String cn = words.isEmpty() ? localPart : String.join(" ", words);
        String sn = words.isEmpty() ? localPart : words.get(words.size() - 1);
        try {
            DN parent = domainDn(username.getDomainPart().get().asString(), suffix);
            ensureBranch(parent);
            Entry entry = new Entry(new DN(new RDN(MAIL, address), parent));
            entry.addAttribute("objectClass", "top", PERSON_CLASS);
            entry.addAttribute(MAIL, address);
            entry.addAttribute("cn", cn);
            entry.addAttribute("sn", sn);
            if (words.size() > 1) {
                entry.addAttribute("firstname", words.get(0));
            }
            if (password != null) {
                entry.addAttribute(USER_PASSWORD, hash(password));
            }
            adminPool.add(entry);
            forgetCachedAnswers();
            LOGGER.info("Directory: added user {} ({})", address, entry.getDN());
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.ENTRY_ALREADY_EXISTS) {
                throw new AlreadyExistInUsersRepositoryException(address + " already exists");
            }
            throw failure("add " + address, e);
        }
    }

    /**
     * The dc= branch of a mail domain: the suffix itself for the suffix' domain, {@code dc=sales,<suffix>} for
     * {@code sales.example.com} below {@code dc=example,dc=com}, and every label prepended to the suffix for a
     * domain outside it ({@code other.org} → {@code dc=other,dc=org,dc=example,dc=com}).
     */
    public static DN domainDn(String domain, DN suffix) throws LDAPException {
        String lower = domain.toLowerCase(Locale.ROOT);
        StringBuilder suffixDomain = new StringBuilder();
        for (RDN rdn : suffix.getRDNs()) {
            if (rdn.isMultiValued() || !"dc".equalsIgnoreCase(rdn.getAttributeNames()[0])) {
                suffixDomain = null;
                break;
            }
            suffixDomain.append(suffixDomain.length() == 0 ? "" : ".").append(rdn.getAttributeValues()[0]);
        }
        String relative = lower;
        if (suffixDomain != null) {
            String base = suffixDomain.toString().toLowerCase(Locale.ROOT);
            if (lower.equals(base)) {
                return suffix;
            }
            if (lower.endsWith("." + base)) {
                relative = lower.substring(0, lower.length() - base.length() - 1);
            }
        }
        DN dn = suffix;
        String[] labels = relative.split("\\.");
        for (int i = labels.length - 1; i >= 0; i--) {
            dn = new DN(new RDN("dc", labels[i]), dn);
        }
        return dn;
    }

    /** Creates the {@code dc=} branch of a mail domain ({@link #domainDn}) when it is missing. */
    public void ensureDomain(String domain) throws UsersRepositoryException {
        try {
            ensureBranch(domainDn(domain, suffix));
        } catch (LDAPException e) {
            throw failure("create the branch of " + domain, e);
        }
    }

    @Override
    public void close() {
        adminPool.close();
        bindPool.close();
    }

    /**
     * Binds as {@code dn} with {@code password} on a connection of the bind pool. True only on success; wrong
     * credentials, a missing entry or an entry without {@code userPassword} give false.
     */
    boolean bind(DN dn, String password) {
        if (password == null || password.isEmpty()) {
            return false;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            LDAPConnection connection;
            try {
                connection = bindPool.getConnection();
            } catch (LDAPException e) {
                LOGGER.warn("Directory: no connection to check the password of {}: {}", dn, e.getMessage());
                return false;
            }
            try {
                connection.bind(new SimpleBindRequest(dn, password));
                bindPool.releaseConnection(connection);
                return true;
            } catch (LDAPException e) {
                if (e.getResultCode().isConnectionUsable()) {
                    bindPool.releaseConnection(connection);
                    return false;
                }
                bindPool.releaseDefunctConnection(connection);
                LOGGER.warn("Directory: connection lost while checking the password of {}: {}", dn, e.getMessage());
            }
        }
        return false;
    }

    static byte[] hash(String password) {
        return PasswordUtil.createStoragePassword(password, HASH);
    }

    private void ensureBranch(DN branch) throws LDAPException {
        if (!branch.isDescendantOf(suffix, false)) {
            return;
        }
        ensureBranch(branch.getParent());
        if (adminPool.getEntry(branch.toString(), "1.1") != null) {
            return;
        }
        RDN rdn = branch.getRDN();
        try {
            adminPool.add(new Entry(branch, new Attribute("objectClass", "top", "domain"),
                new Attribute("dc", rdn.getAttributeValues()[0])));
            LOGGER.info("Directory: created domain branch {}", branch);
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.ENTRY_ALREADY_EXISTS) {
                throw e;
            }
        }
    }

    private Optional<SearchResultEntry> find(Username name, String... attributes) throws UsersRepositoryException {
        Filter filter = Filter.createANDFilter(
            Filter.createEqualityFilter("objectClass", PERSON_CLASS),
            Filter.createEqualityFilter(MAIL, name.asString()));
        String[] requested = attributes.length == 0 ? new String[] {"1.1"} : attributes;
        try {
            SearchRequest request = new SearchRequest(suffix.toString(), SearchScope.SUB, filter, requested);
            request.setSizeLimit(2);
            SearchResult result = adminPool.search(request);
            List<SearchResultEntry> entries = result.getSearchEntries();
            if (entries.size() > 1) {
                throw new UsersRepositoryException("Several ieperson entries have mail " + name.asString() + ": "
                    + entries.get(0).getDN() + ", " + entries.get(1).getDN());
            }
            return entries.stream().findFirst();
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw new UsersRepositoryException("Several ieperson entries have mail " + name.asString(), e);
            }
            throw failure("look up " + name.asString(), e);
        }
    }

    private static Username canonicalName(Username requested, Entry entry) {
        String[] mails = entry.getAttributeValues(MAIL);
        if (mails != null) {
            for (String mail : mails) {
                if (mail.equalsIgnoreCase(requested.asString())) {
                    try {
                        return Username.of(mail);
                    } catch (IllegalArgumentException e) {
                        return requested;
                    }
                }
            }
        }
        return requested;
    }

    /**
     * The address of every ieperson entry (the {@code mail} value of its RDN, else its first {@code mail}),
     * with the simple paged results control on one connection.
     */
    private List<String> allMails() throws UsersRepositoryException {
        Filter filter = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", PERSON_CLASS),
            Filter.createPresenceFilter(MAIL));
        List<String> mails = new ArrayList<>();
        LDAPConnection connection;
        try {
            connection = adminPool.getConnection();
        } catch (LDAPException e) {
            throw failure("list users", e);
        }
        boolean healthy = true;
        try {
            ASN1OctetString cookie = null;
            do {
                // always ask for mail: ApacheDS AM27 ends a paged search asking for no attributes ("1.1") after
                // its first page
                SearchRequest request = new SearchRequest(suffix.toString(), SearchScope.SUB, filter, MAIL);
                request.setControls(new SimplePagedResultsControl(PAGE_SIZE, cookie));
                SearchResult result = connection.search(request);
                for (SearchResultEntry entry : result.getSearchEntries()) {
                    mails.add(addressOf(entry));
                }
                SimplePagedResultsControl response = SimplePagedResultsControl.get(result);
                cookie = response == null || !response.moreResultsToReturn() ? null : response.getCookie();
            } while (cookie != null);
            return mails;
        } catch (LDAPException e) {
            healthy = e.getResultCode().isConnectionUsable();
            throw failure("list users", e);
        } finally {
            if (healthy) {
                adminPool.releaseConnection(connection);
            } else {
                adminPool.releaseDefunctConnection(connection);
            }
        }
    }

    private static String addressOf(SearchResultEntry entry) {
        try {
            RDN rdn = entry.getParsedDN().getRDN();
            String[] names = rdn.getAttributeNames();
            for (int i = 0; i < names.length; i++) {
                if (MAIL.equalsIgnoreCase(names[i])) {
                    return rdn.getAttributeValues()[i];
                }
            }
        } catch (LDAPException e) {
            // fall back to the attribute
        }
        return entry.getAttributeValue(MAIL);
    }

    private static UsersRepositoryException failure(String what, LDAPException e) {
        return new UsersRepositoryException("Directory: cannot " + what + ": " + e.getResultCode() + " "
            + Optional.ofNullable(e.getDiagnosticMessage()).orElse(e.getMessage()), e);
    }
}
