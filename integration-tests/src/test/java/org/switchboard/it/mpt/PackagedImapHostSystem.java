package org.switchboard.it.mpt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mpt.api.Continuation;
import org.apache.james.mpt.api.ImapFeatures.Feature;
import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.api.Session;
import org.switchboard.it.PackagedServer;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * James' MPT host system for the packaged server, reached over its IMAP port like any client. Users are people of
 * the directory (LDAP {@code ieperson} entries, as an administrator adds them); the host operations James' suites
 * ask for are done the way an administrator or the owner would: a mailbox is created by its owner over IMAP, rights
 * are granted by the owner with SETACL, quota limits are set with {@code james-cli}. One instance per test, with
 * fresh accounts ({@link ScriptAccounts}).
 */
final class PackagedImapHostSystem implements ImapHostSystem {
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final PackagedServer server;
    private final String domain;
    private final Set<Feature> features;
    private final ScriptAccounts accounts;
    /** account address to its password */
    private final Map<String, String> provisioned = new HashMap<>();

    PackagedImapHostSystem(PackagedServer server, String domain, Set<Feature> features) {
        this.server = server;
        this.domain = domain;
        this.features = features.isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(features);
        this.accounts = new ScriptAccounts(domain);
    }

    /**
     * A host where a script user is an account kept across tests: the IMAP administrator of the server's
     * {@code administratorId}, as {@code imapuser} is in James' script host. Its mailboxes other than INBOX are
     * deleted first, so that the test starts from an empty account as the others do.
     */
    static PackagedImapHostSystem withAdministrator(PackagedServer server, String domain, Set<Feature> features,
            String scriptUser, String address, String password) throws Exception {
        PackagedImapHostSystem host = new PackagedImapHostSystem(server, domain, features);
        host.accounts.pin(scriptUser, address);
        host.provisioned.put(address, password);
        try (OwnerImapClient admin = OwnerImapClient.login(server.imapPort, address, password)) {
            List<String> mailboxes = new ArrayList<>(admin.expectOk("LIST \"\" *"));
            Collections.reverse(mailboxes); // children before their parent
            for (String line : mailboxes) {
                String name = line.substring(line.lastIndexOf(" ") + 1).replace("\"", "");
                if (!name.equalsIgnoreCase("INBOX")) {
                    admin.expectOk("DELETE " + quoted(name));
                }
            }
        }
        return host;
    }

    @Override
    public boolean supports(Feature... wanted) {
        return features.containsAll(List.of(wanted));
    }

    @Override
    public boolean addUser(Username user, String password) throws Exception {
        provision(user.asString(), password);
        return true;
    }

    /** A person of the directory; the script's password unless it was provisioned already. */
    private synchronized String provision(String scriptUser, String password) throws Exception {
        String address = accounts.account(scriptUser);
        if (provisioned.putIfAbsent(address, password) == null) {
            String base = "dc=" + String.join(",dc=", domain.split("\\."));
            try (LDAPConnection ldap = admin()) {
                ldap.add(new Entry("mail=" + address + "," + base,
                    new Attribute("objectClass", "ieperson"),
                    new Attribute("mail", address),
                    new Attribute("cn", scriptUser),
                    new Attribute("sn", scriptUser),
                    new Attribute("userPassword", password)));
            }
        }
        return address;
    }

    private LDAPConnection admin() throws Exception {
        String password = Files.readString(server.home.resolve("var/directory-admin.password"), StandardCharsets.UTF_8).strip();
        return new LDAPConnection("127.0.0.1", server.ldapPort, "uid=admin,ou=system", password);
    }

    @Override
    public Session newSession(Continuation continuation) {
        SESSIONS.incrementAndGet();
        return new StartTlsImapSession(server.imapPort, accounts, continuation);
    }

    /** Sessions opened by scripts in this JVM (the report's figure). */
    static int sessionsOpened() {
        return SESSIONS.get();
    }

    /** The owner creates the mailbox over IMAP; only the personal namespace exists on our server. */
    @Override
    public void createMailbox(MailboxPath mailboxPath) throws Exception {
        if (!MailboxConstants.USER_NAMESPACE.equals(mailboxPath.getNamespace())) {
            throw new UnsupportedOperationException("no namespace " + mailboxPath.getNamespace() + " on this server");
        }
        String owner = mailboxPath.getUser().asString();
        ownerCommand(owner, "CREATE " + quoted(mailboxPath.getName()));
    }

    /** The owner grants the rights with SETACL (RFC 4314). */
    @Override
    public void grantRights(MailboxPath mailboxPath, Username userName, MailboxACL.Rfc4314Rights rights) throws Exception {
        String owner = mailboxPath.getUser().asString();
        String grantee = provision(userName.asString(), "password");
        ownerCommand(owner, "SETACL " + quoted(mailboxPath.getName()) + " " + quoted(grantee) + " " + rights.serialize());
    }

    /** Limits of the test user's quota root, set by the administrator with james-cli (James' host sets them globally). */
    @Override
    public void setQuotaLimits(QuotaCountLimit maxMessageQuota, QuotaSizeLimit maxStorageQuota) throws Exception {
        for (String user : List.of("imapuser")) {
            String root = "#private&" + accounts.account(user);
            server.cli("SetMaxMessageCountQuota", root, Long.toString(maxMessageQuota.asLong()));
            server.cli("SetMaxStorageQuota", root, Long.toString(maxStorageQuota.asLong()));
        }
    }

    private void ownerCommand(String owner, String command) throws Exception {
        String address = provision(owner, "password");
        String password;
        synchronized (this) {
            password = provisioned.get(address);
        }
        try (OwnerImapClient client = OwnerImapClient.login(server.imapPort, address, password)) {
            client.expectOk(command);
        }
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void beforeTest() {
    }

    @Override
    public void afterTest() {
    }

    @Override
    public String toString() {
        return "packaged server, IMAP port " + server.imapPort;
    }
}
