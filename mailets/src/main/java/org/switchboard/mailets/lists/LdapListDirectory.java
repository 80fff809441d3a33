package org.switchboard.mailets.lists;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.StaticUtils;

/**
 * {@link ListDirectory} over LDAP (UnboundID SDK), below the directory's suffix. The pool's account must read and
 * change {@code ielist} entries (the administrator). Values that do not parse (a member that is no mail address, an
 * unknown policy) are left out with one WARN line naming the entry, never a failure of the whole list.
 */
public final class LdapListDirectory implements ListDirectory {
    public static final String LIST_CLASS = "ielist";
    static final String MAIL = "mail";
    static final String ALIAS = "ieMailAlias";
    static final String OWNER = "ieListOwnerAddress";
    static final String POSTING = "ieListPosting";
    static final String SUBSCRIPTION = "ieListSubscription";
    static final String BLOCKED = "ieListBlocked";
    static final String SUBJECT_PREFIX = "ieListSubjectPrefix";
    static final String ARCHIVE = "ieListArchive";
    static final String REPLY_TO = "ieListReplyTo";
    static final String MAX_MESSAGE_SIZE = "ieListMaxMessageSize";
    static final String DIGEST_INTERVAL = "ieListDigestInterval";
    static final String DIGEST_MAX_MESSAGES = "ieListDigestMaxMessages";
    static final String BAN = "ieListBan";
    static final String DMARC = "ieListDmarc";
    static final String[] ATTRIBUTES = {MAIL, "cn", "description", OWNER, POSTING, SUBSCRIPTION, BLOCKED,
        SUBJECT_PREFIX, ARCHIVE, REPLY_TO, MAX_MESSAGE_SIZE, BAN, DMARC, DeliveryMode.IMMEDIATE.attribute(),
        DeliveryMode.DIGEST.attribute(), DIGEST_INTERVAL, DIGEST_MAX_MESSAGES};
    static final String REQUEST_CLASS = "ielistrequest";
    static final String REQUEST_TOKEN = "ieRequestToken";
    static final String REQUEST_TYPE = "ieRequestType";
    static final String REQUEST_ADDRESS = "ieRequestAddress";
    static final String REQUEST_LIST = "ieRequestList";
    static final String REQUEST_DATE = "ieRequestDate";
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapListDirectory.class);
    private static final int SEARCH_SIZE_LIMIT = 10_000;

    private final LDAPConnectionPool pool;
    private final String suffix;

    public LdapListDirectory(LDAPConnectionPool pool, String suffix) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.suffix = Objects.requireNonNull(suffix, "suffix");
    }

    @Override
    public Optional<DistributionList> find(MailAddress address) throws DirectoryUnavailableException {
        Filter filter = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", LIST_CLASS),
            Filter.createORFilter(Filter.createEqualityFilter(MAIL, address.asString()),
                Filter.createEqualityFilter(ALIAS, address.asString())));
        List<DistributionList> found = search(filter, "look up list " + address.asString());
        // its own mail wins over an alias of another list
        return found.stream().filter(list -> list.address().equals(address)).findFirst()
            .or(() -> found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty());
    }

    @Override
    public List<DistributionList> search(String text) throws DirectoryUnavailableException {
        Filter isList = Filter.createEqualityFilter("objectClass", LIST_CLASS);
        if (text == null || text.isBlank()) {
            return search(isList, "list the lists");
        }
        String[] any = {text.trim()};
        Filter filter = Filter.createANDFilter(isList, Filter.createORFilter(
            Filter.createSubstringFilter(MAIL, null, any, null),
            Filter.createSubstringFilter("cn", null, any, null),
            Filter.createSubstringFilter("description", null, any, null)));
        return search(filter, "search the lists for '" + text + "'");
    }

    @Override
    public void setMember(DistributionList list, MailAddress member, DeliveryMode mode)
        throws DirectoryUnavailableException {
        List<Modification> changes = new ArrayList<>();
        for (DeliveryMode other : DeliveryMode.values()) {
            if (other != mode && list.members().get(member) == other) {
                changes.add(new Modification(ModificationType.DELETE, other.attribute(), member.asString()));
            }
        }
        if (list.members().get(member) != mode) {
            changes.add(new Modification(ModificationType.ADD, mode.attribute(), member.asString()));
        }
        if (!changes.isEmpty()) {
            modify(list, changes, "add " + member.asString() + " to");
        }
    }

    @Override
    public boolean removeMember(DistributionList list, MailAddress member) throws DirectoryUnavailableException {
        DeliveryMode mode = list.members().get(member);
        if (mode == null) {
            return false;
        }
        modify(list, List.of(new Modification(ModificationType.DELETE, mode.attribute(), member.asString())),
            "remove " + member.asString() + " from");
        return true;
    }

    @Override
    public void addRequest(DistributionList list, ListRequest request) throws DirectoryUnavailableException {
        Entry entry = new Entry(REQUEST_TOKEN + "=" + request.token() + "," + list.dn());
        entry.addAttribute("objectClass", "top", REQUEST_CLASS);
        entry.addAttribute(REQUEST_TOKEN, request.token());
        entry.addAttribute(REQUEST_TYPE, request.type().name());
        entry.addAttribute(REQUEST_ADDRESS, request.address().asString());
        entry.addAttribute(REQUEST_LIST, request.list().asString());
        entry.addAttribute(REQUEST_DATE, StaticUtils.encodeGeneralizedTime(Date.from(request.created())));
        try {
            pool.add(entry);
        } catch (LDAPException e) {
            throw unavailable("store a request for list " + list.address().asString(), e);
        }
    }

    @Override
    public Optional<ListRequest> request(String token) throws DirectoryUnavailableException {
        return requestEntry(token).flatMap(LdapListDirectory::readRequest);
    }

    @Override
    public boolean removeRequest(ListRequest request) throws DirectoryUnavailableException {
        Optional<SearchResultEntry> entry = requestEntry(request.token());
        if (entry.isEmpty()) {
            return false;
        }
        try {
            pool.delete(entry.get().getDN());
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return false;
            }
            throw unavailable("remove the request " + entry.get().getDN(), e);
        }
    }

    private Optional<SearchResultEntry> requestEntry(String token) throws DirectoryUnavailableException {
        Filter filter = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", REQUEST_CLASS),
            Filter.createEqualityFilter(REQUEST_TOKEN, token));
        try {
            List<SearchResultEntry> found = pool.search(new SearchRequest(suffix, SearchScope.SUB, filter,
                REQUEST_TOKEN, REQUEST_TYPE, REQUEST_ADDRESS, REQUEST_LIST, REQUEST_DATE)).getSearchEntries();
            return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
        } catch (LDAPException e) {
            throw unavailable("look up a list request", e);
        }
    }

    /** The request of an entry; empty (WARN) when a value does not parse. */
    private static Optional<ListRequest> readRequest(Entry entry) {
        try {
            return Optional.of(new ListRequest(entry.getAttributeValue(REQUEST_TOKEN).toLowerCase(Locale.ROOT),
                ListRequest.Type.valueOf(entry.getAttributeValue(REQUEST_TYPE).trim().toUpperCase(Locale.ROOT)),
                new MailAddress(entry.getAttributeValue(REQUEST_ADDRESS)),
                new MailAddress(entry.getAttributeValue(REQUEST_LIST)),
                StaticUtils.decodeGeneralizedTime(entry.getAttributeValue(REQUEST_DATE)).toInstant()));
        } catch (AddressException | java.text.ParseException | RuntimeException e) {
            LOGGER.warn("Lists: request entry {} ignored: {}", entry.getDN(), e.getMessage());
            return Optional.empty();
        }
    }

    private void modify(DistributionList list, List<Modification> changes, String what)
        throws DirectoryUnavailableException {
        try {
            pool.modify(list.dn(), changes);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.ATTRIBUTE_OR_VALUE_EXISTS || e.getResultCode() == ResultCode.NO_SUCH_ATTRIBUTE) {
                // changed meanwhile by someone else: the member already is (or is no more) where asked
                LOGGER.info("Lists: {} list {}: already done ({})", what, list.address().asString(), e.getResultCode());
                return;
            }
            throw unavailable(what + " list " + list.address().asString(), e);
        }
    }

    private List<DistributionList> search(Filter filter, String what) throws DirectoryUnavailableException {
        SearchRequest request = new SearchRequest(suffix, SearchScope.SUB, filter, ATTRIBUTES);
        request.setSizeLimit(SEARCH_SIZE_LIMIT);
        List<SearchResultEntry> entries;
        try {
            entries = pool.search(request).getSearchEntries();
        } catch (LDAPException e) {
            throw unavailable(what, e);
        }
        List<DistributionList> lists = new ArrayList<>();
        for (SearchResultEntry entry : entries) {
            read(entry).ifPresent(lists::add);
        }
        lists.sort((a, b) -> a.address().asString().compareTo(b.address().asString()));
        return lists;
    }

    /** The list of an entry; empty (WARN) when its {@code mail} is not a mail address. */
    static Optional<DistributionList> read(Entry entry) {
        Optional<MailAddress> address = address(entry, entry.getAttributeValue(MAIL));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        Map<MailAddress, DeliveryMode> members = new LinkedHashMap<>();
        for (DeliveryMode mode : List.of(DeliveryMode.IMMEDIATE, DeliveryMode.DIGEST)) {
            for (String value : values(entry, mode.attribute())) {
                address(entry, value).ifPresent(member -> members.putIfAbsent(member, mode));
            }
        }
        Set<MailAddress> owners = new LinkedHashSet<>();
        values(entry, OWNER).forEach(value -> address(entry, value).ifPresent(owners::add));
        Set<String> blocked = new LinkedHashSet<>();
        values(entry, BLOCKED).forEach(value -> blocked.add(value.trim().toLowerCase(Locale.ROOT)));
        String description = Optional.ofNullable(entry.getAttributeValue("description"))
            .or(() -> Optional.ofNullable(entry.getAttributeValue("cn"))).orElse("");
        return Optional.of(new DistributionList(entry.getDN(), address.get(), description,
            policy(entry, POSTING, PostingPolicy::named, PostingPolicy.DEFAULT),
            policy(entry, SUBSCRIPTION, SubscriptionPolicy::named, SubscriptionPolicy.DEFAULT),
            members, owners, blocked, Optional.ofNullable(entry.getAttributeValue(SUBJECT_PREFIX))
                .filter(prefix -> !prefix.isBlank()),
            "TRUE".equalsIgnoreCase(entry.getAttributeValue(ARCHIVE)), replyTo(entry, address.get()),
            Optional.ofNullable(entry.getAttributeValueAsLong(MAX_MESSAGE_SIZE)).filter(size -> size > 0),
            digest(entry), bans(entry), policy(entry, DMARC, DmarcMitigation::named, DmarcMitigation.DEFAULT)));
    }

    /** The digest settings of an entry; the default schedule (WARN) when its interval does not parse. */
    private static DigestSettings digest(Entry entry) {
        Optional<Integer> maxMessages = Optional.ofNullable(entry.getAttributeValueAsInteger(DIGEST_MAX_MESSAGES))
            .filter(max -> max > 0);
        DigestSchedule schedule = policy(entry, DIGEST_INTERVAL, DigestSchedule::parse, DigestSchedule.DEFAULT);
        return new DigestSettings(schedule, maxMessages);
    }

    /** The list's bans; a value that is no ban is left out (WARN). */
    private static List<Ban> bans(Entry entry) {
        List<Ban> bans = new ArrayList<>();
        for (String value : values(entry, BAN)) {
            try {
                bans.add(Ban.parse(value));
            } catch (IllegalArgumentException e) {
                LOGGER.warn("Lists: entry {}: ban ignored: {}", entry.getDN(), e.getMessage());
            }
        }
        return bans;
    }

    /** {@code LIST}: the list's address; {@code SENDER} or nothing: empty; else the address given. */
    private static Optional<MailAddress> replyTo(Entry entry, MailAddress list) {
        String value = entry.getAttributeValue(REPLY_TO);
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("SENDER")) {
            return Optional.empty();
        }
        if (value.trim().equalsIgnoreCase("LIST")) {
            return Optional.of(list);
        }
        return address(entry, value);
    }

    static <T> T policy(Entry entry, String attribute, java.util.function.Function<String, T> parser,
                         T defaultValue) {
        String value = entry.getAttributeValue(attribute);
        if (value == null) {
            return defaultValue;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            LOGGER.warn("Lists: entry {}: {} ignored, {} applies: {}", entry.getDN(), attribute, defaultValue,
                e.getMessage());
            return defaultValue;
        }
    }

    private static List<String> values(Entry entry, String attribute) {
        String[] values = entry.getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    private static Optional<MailAddress> address(Entry entry, String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(value.trim()));
        } catch (AddressException e) {
            LOGGER.warn("Lists: entry {}: ignored value '{}': not a mail address", entry.getDN(), value);
            return Optional.empty();
        }
    }

    static DirectoryUnavailableException unavailable(String what, LDAPException e) {
        return new DirectoryUnavailableException("Directory: cannot " + what + ": " + e.getResultCode() + " "
            + Optional.ofNullable(e.getDiagnosticMessage()).orElse(e.getMessage()), e);
    }
}
