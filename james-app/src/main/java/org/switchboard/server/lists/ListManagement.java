package org.switchboard.server.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.internet.AddressException;

import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.mailets.lists.ArchiveOrder;
import org.switchboard.mailets.lists.Ban;
import org.switchboard.mailets.lists.DeliveryMode;
import org.switchboard.mailets.lists.DigestSchedule;
import org.switchboard.mailets.lists.DmarcMitigation;
import org.switchboard.mailets.lists.LdapBounceRecords;
import org.switchboard.mailets.lists.VerpMode;
import org.switchboard.mailets.lists.DistributionList;
import org.switchboard.mailets.lists.LdapListDirectory;
import org.switchboard.mailets.lists.ListArchive;
import org.switchboard.mailets.lists.ListDigests;
import org.switchboard.mailets.lists.ListDirectory;
import org.switchboard.mailets.lists.PostingPolicy;
import org.switchboard.mailets.lists.SubscriptionPolicy;
import org.switchboard.server.directory.DirectoryUsersDAO;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;

/**
 * The list manager's administration (spec: create, delete, search, describe, modify lists, add and edit members,
 * update the list owner's password), as the directory's administrator. Each change is one LDAP operation on the
 * list's entry, so it is what an administrator could also do with {@code ldapmodify}.
 */
@Singleton
public class ListManagement implements ListManagementMBean, Startable {
    public static final String OBJECT_NAME = "org.switchboard:type=component,name=lists";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListManagement.class);
    private static final Map<String, String> SINGLE_SETTINGS = Map.ofEntries(Map.entry("description", "description"),
        Map.entry("posting", "ieListPosting"), Map.entry("subscription", "ieListSubscription"),
        Map.entry("subjectprefix", "ieListSubjectPrefix"), Map.entry("archive", "ieListArchive"),
        Map.entry("replyto", "ieListReplyTo"), Map.entry("maxmessagesize", "ieListMaxMessageSize"),
        Map.entry("digestinterval", "ieListDigestInterval"), Map.entry("digestmaxmessages", "ieListDigestMaxMessages"),
        Map.entry("verp", "ieListVerp"), Map.entry("bouncethreshold", "ieListBounceThreshold"),
        Map.entry("dmarc", "ieListDmarc"));
    private static final Map<String, String> ADDED_VALUES = Map.of("addowner", "ieListOwnerAddress",
        "block", "ieListBlocked", "ban", "ieListBan");
    private static final Map<String, String> REMOVED_VALUES = Map.of("removeowner", "ieListOwnerAddress",
        "unblock", "ieListBlocked", "unban", "ieListBan");

    private final ListDirectory lists;
    private final LDAPConnectionPool pool;
    private final DN suffix;
    private final ListDigests digests;
    private final ListArchive archive;

    @Inject
    public ListManagement(ListsModule.ListPool listPool, ListDigests digests, ListArchive archive)
        throws LDAPException {
        this(listPool.pool(), listPool.suffix(), digests, archive);
    }

    ListManagement(LDAPConnectionPool pool, String suffix, ListDigests digests, ListArchive archive)
        throws LDAPException {
        this.pool = pool;
        this.suffix = new DN(suffix);
        this.lists = new LdapListDirectory(pool, suffix);
        this.digests = digests;
        this.archive = archive;
    }

    @Override
    public void createList(String address, String posting, String description) throws Exception {
        MailAddress list = address(address);
        PostingPolicy policy = PostingPolicy.named(posting);
        if (lists.find(list).isPresent()) {
            throw new IllegalArgumentException("The list " + list.asString() + " exists already");
        }
        DN dn = new DN(new RDN("mail", list.asString()), DirectoryUsersDAO.domainDn(list.getDomain().asString(), suffix));
        Entry entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", LdapListDirectory.LIST_CLASS);
        entry.addAttribute("mail", list.asString());
        entry.addAttribute("ieListPosting", policy.name());
        if (description != null && !description.isBlank()) {
            entry.addAttribute("description", description.trim());
        }
        ldap("create the list " + list.asString(), () -> pool.add(entry));
        LOGGER.info("Lists: created {} ({})", list.asString(), policy);
    }

    @Override
    public void deleteList(String address) throws Exception {
        DistributionList list = existing(address);
        // its pending requests (ielistrequest entries below it) go with it
        ldap("delete the list " + list.address().asString(), () -> {
            for (SearchResultEntry request : pool.search(list.dn(), SearchScope.ONE, "(objectClass=*)", "1.1")
                .getSearchEntries()) {
                pool.delete(request.getDN());
            }
            pool.delete(list.dn());
        });
        LOGGER.info("Lists: deleted {}", list.address().asString());
    }

    @Override
    public List<String> searchLists(String text) throws Exception {
        List<String> lines = new ArrayList<>();
        for (DistributionList list : directory(() -> lists.search(text))) {
            lines.add(list.address().asString() + " posting=" + list.posting() + " subscription="
                + list.subscription() + " members=" + list.members().size()
                + (list.description().isEmpty() ? "" : " description=" + list.description()));
        }
        return lines;
    }

    @Override
    public String describeList(String address) throws Exception {
        DistributionList list = existing(address);
        StringBuilder text = new StringBuilder()
            .append("list: ").append(list.address().asString()).append('\n')
            .append("dn: ").append(list.dn()).append('\n')
            .append("description: ").append(list.description()).append('\n')
            .append("list-id: ").append(list.listId()).append('\n')
            .append("posting: ").append(list.posting()).append('\n')
            .append("subscription: ").append(list.subscription()).append('\n')
            .append("subject prefix: ").append(list.subjectPrefix().orElse("")).append('\n')
            .append("archive: ").append(list.archive()).append('\n')
            .append("reply-to: ").append(list.replyTo().map(MailAddress::asString).orElse("")).append('\n')
            .append("max message size: ").append(list.maxMessageSize().map(String::valueOf).orElse("")).append('\n')
            .append("digest schedule: ").append(list.digest().schedule()).append('\n')
            .append("digest max messages: ").append(list.digest().maxMessages().map(String::valueOf).orElse(""))
            .append('\n')
            .append("dmarc: ").append(list.dmarc()).append('\n');
        list.bans().forEach(ban -> text.append("ban: ").append(ban.value()).append('\n'));
        list.owners().stream().map(MailAddress::asString).sorted()
            .forEach(owner -> text.append("owner: ").append(owner).append('\n'));
        list.blocked().stream().sorted().forEach(blocked -> text.append("blocked: ").append(blocked).append('\n'));
        list.members().entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> a.asString().compareTo(b.asString())))
            .forEach(member -> text.append("member: ").append(member.getKey().asString()).append(' ')
                .append(member.getValue()).append('\n'));
        return text.toString();
    }

    @Override
    public void modifyList(String address, String setting, String value) throws Exception {
        DistributionList list = existing(address);
        String key = setting.trim().toLowerCase(Locale.ROOT);
        Modification change;
        if (SINGLE_SETTINGS.containsKey(key)) {
            String attribute = SINGLE_SETTINGS.get(key);
            change = "-".equals(value.trim())
                ? new Modification(ModificationType.REPLACE, attribute)
                : new Modification(ModificationType.REPLACE, attribute, checked(key, value.trim()));
        } else if (ADDED_VALUES.containsKey(key)) {
            change = new Modification(ModificationType.ADD, ADDED_VALUES.get(key), checked(key, value.trim()));
        } else if (REMOVED_VALUES.containsKey(key)) {
            change = new Modification(ModificationType.DELETE, REMOVED_VALUES.get(key), value.trim());
        } else {
            throw new IllegalArgumentException("Unknown setting '" + setting + "'; the settings are description, "
                + "posting, subscription, subjectPrefix, archive, replyTo, maxMessageSize, digestInterval, "
                + "digestMaxMessages, verp, bounceThreshold, dmarc, addOwner, removeOwner, block, unblock, ban, unban");
        }
        ldap("change " + setting + " of the list " + list.address().asString(), () -> pool.modify(list.dn(), change));
        LOGGER.info("Lists: {} of {} changed", setting, list.address().asString());
    }

    @Override
    public void setMember(String address, String member, String mode) throws Exception {
        DistributionList list = existing(address);
        MailAddress newMember = address(member);
        DeliveryMode deliveryMode = DeliveryMode.named(mode);
        directory(() -> {
            lists.setMember(list, newMember, deliveryMode);
            return null;
        });
        LOGGER.info("Lists: {} is a member of {} ({})", newMember.asString(), list.address().asString(), deliveryMode);
    }

    @Override
    public void removeMember(String address, String member) throws Exception {
        DistributionList list = existing(address);
        MailAddress removed = address(member);
        if (!directory(() -> lists.removeMember(list, removed))) {
            throw new IllegalArgumentException(removed.asString() + " is not a member of " + list.address().asString());
        }
        LOGGER.info("Lists: {} removed from {}", removed.asString(), list.address().asString());
    }

    @Override
    public void setDeliveryMode(String address, String member, String mode) throws Exception {
        DistributionList list = existing(address);
        MailAddress existingMember = address(member);
        if (!list.isMember(existingMember)) {
            throw new IllegalArgumentException(existingMember.asString() + " is not a member of "
                + list.address().asString());
        }
        setMember(address, member, mode);
    }

    @Override
    public int sendListDigest(String address) throws Exception {
        DistributionList list = existing(address);
        int posts = digests.send(list);
        LOGGER.info("Lists: digest of {} sent on request, {} post(s)", list.address().asString(), posts);
        return posts;
    }

    @Override
    public List<String> listArchive(String address, String order) throws Exception {
        ArchiveOrder archiveOrder = ArchiveOrder.named(order);
        DistributionList list = existing(address);
        if (!list.archive()) {
            throw new IllegalArgumentException("The list " + list.address().asString() + " keeps no archive"
                + " (ModifyList " + list.address().asString() + " archive true)");
        }
        return archive.listing(list, archiveOrder);
    }

    @Override
    public void setListPassword(String address, String password) throws Exception {
        DistributionList list = existing(address);
        if (password == null || password.length() < 8) {
            throw new IllegalArgumentException("The list owner's password needs at least 8 characters");
        }
        byte[] hashed = PasswordUtil.createStoragePassword(password, LdapSecurityConstants.HASH_METHOD_SSHA512);
        ldap("set the password of the list " + list.address().asString(),
            () -> pool.modify(list.dn(), new Modification(ModificationType.REPLACE, "userPassword", hashed)));
        LOGGER.info("Lists: owner password of {} changed", list.address().asString());
    }

    private DistributionList existing(String address) throws Exception {
        MailAddress list = address(address);
        Optional<DistributionList> found = directory(() -> lists.find(list));
        return found.orElseThrow(() -> new IllegalArgumentException("No list " + list.asString()));
    }

    /** Values of settings with a grammar of their own, checked before they reach the directory. */
    private static String checked(String setting, String value) {
        return switch (setting) {
            case "posting" -> PostingPolicy.named(value).name();
            case "subscription" -> SubscriptionPolicy.named(value).name();
            case "archive" -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("archive is true or false, not '" + value + "'");
                }
                yield value.toUpperCase(Locale.ROOT);
            }
            case "replyto" -> value.equalsIgnoreCase("LIST") || value.equalsIgnoreCase("SENDER")
                ? value.toUpperCase(Locale.ROOT) : address(value).asString();
            case "maxmessagesize" -> {
                try {
                    yield String.valueOf(Long.parseUnsignedLong(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("maxMessageSize is a number of octets, not '" + value + "'");
                }
            }
            case "digestinterval" -> DigestSchedule.parse(value).toString();
            case "digestmaxmessages" -> {
                try {
                    yield String.valueOf(Integer.parseUnsignedInt(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("digestMaxMessages is a number of posts, not '" + value + "'");
                }
            }
            case "addowner" -> address(value).asString();
            case "verp" -> VerpMode.named(value).name();
            case "bouncethreshold" -> String.valueOf(LdapBounceRecords.threshold(value));
            case "dmarc" -> DmarcMitigation.named(value).name();
            case "ban" -> Ban.parse(value).value();
            case "block" -> value.startsWith("@") ? value.toLowerCase(Locale.ROOT) : address(value).asString();
            default -> value;
        };
    }

    private static MailAddress address(String text) {
        try {
            return new MailAddress(text == null ? "" : text.trim());
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + text + "' is not a mail address");
        }
    }

    private interface DirectoryCall<T> {
        T call() throws DirectoryUnavailableException;
    }

    private interface LdapCall {
        void call() throws LDAPException;
    }

    /** JMX clients may lack our exception classes: a plain message travels. */
    private static <T> T directory(DirectoryCall<T> call) throws Exception {
        try {
            return call.call();
        } catch (DirectoryUnavailableException e) {
            throw new Exception(e.getMessage());
        }
    }

    private static void ldap(String what, LdapCall call) throws Exception {
        try {
            call.call();
        } catch (LDAPException e) {
            String hint = e.getResultCode() == ResultCode.NO_SUCH_OBJECT ? " (is the domain added? james-cli AddDomain)"
                : e.getResultCode() == ResultCode.ENTRY_ALREADY_EXISTS ? " (an entry with that address exists)" : "";
            // ApacheDS' diagnostic repeats the whole request after its first line
            String diagnostic = Optional.ofNullable(e.getDiagnosticMessage()).orElse("").lines().findFirst().orElse("");
            throw new Exception("Directory: cannot " + what + ": " + e.getResultCode() + " " + diagnostic + hint);
        }
    }
}
