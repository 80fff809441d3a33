package org.switchboard.mailets.lists;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.StaticUtils;

/**
 * {@link BounceRecords} in the directory: one {@code ielistbounce} entry per member with bounces, named
 * {@code ieBounceMember=<member>} below the list's entry (deleting the list deletes them); the list's settings
 * {@code ieListVerp} and {@code ieListBounceThreshold} on the list's entry. One search reads both.
 */
public final class LdapBounceRecords implements BounceRecords {
    static final String BOUNCE_CLASS = "ielistbounce";
    static final String VERP = "ieListVerp";
    static final String THRESHOLD = "ieListBounceThreshold";
    static final String MEMBER = "ieBounceMember";
    static final String SCORE = "ieBounceScore";
    static final String DATE = "ieBounceDate";
    static final String DISABLED = "ieBounceDisabled";
    static final String NOTICES = "ieBounceNotices";
    static final String NOTICE_DATE = "ieBounceNoticeDate";
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapBounceRecords.class);

    private final LDAPConnectionPool pool;

    public LdapBounceRecords(LDAPConnectionPool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public BounceState state(DistributionList list) throws DirectoryUnavailableException {
        Filter filter = Filter.createORFilter(Filter.createEqualityFilter("objectClass", LdapListDirectory.LIST_CLASS),
            Filter.createEqualityFilter("objectClass", BOUNCE_CLASS));
        List<SearchResultEntry> entries;
        try {
            entries = pool.search(new SearchRequest(list.dn(), SearchScope.SUB, filter, "objectClass", VERP, THRESHOLD,
                MEMBER, SCORE, DATE, DISABLED, NOTICES, NOTICE_DATE)).getSearchEntries();
        } catch (LDAPException e) {
            throw LdapListDirectory.unavailable("read the bounce scores of list " + list.address().asString(), e);
        }
        VerpMode verp = VerpMode.AUTO;
        double threshold = BounceState.DEFAULT_THRESHOLD;
        Map<MailAddress, BounceRecord> records = new LinkedHashMap<>();
        for (SearchResultEntry entry : entries) {
            if (entry.hasObjectClass(BOUNCE_CLASS)) {
                read(entry).ifPresent(record -> records.put(record.member(), record));
            } else {
                verp = LdapListDirectory.policy(entry, VERP, VerpMode::named, VerpMode.AUTO);
                threshold = LdapListDirectory.policy(entry, THRESHOLD, LdapBounceRecords::threshold, BounceState.DEFAULT_THRESHOLD);
            }
        }
        return new BounceState(verp, threshold, records);
    }

    @Override
    public void save(DistributionList list, BounceRecord record) throws DirectoryUnavailableException {
        String dn = dn(list, record.member());
        List<Modification> values = new ArrayList<>(List.of(
            new Modification(ModificationType.REPLACE, SCORE, String.valueOf(record.score())),
            new Modification(ModificationType.REPLACE, NOTICES, String.valueOf(record.notices()))));
        values.add(time(DATE, record.lastBounce().map(day -> day.atStartOfDay(ZoneOffset.UTC).toInstant())));
        values.add(time(DISABLED, record.disabled()));
        values.add(time(NOTICE_DATE, record.lastNotice()));
        try {
            pool.modify(dn, values);
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                throw LdapListDirectory.unavailable("store the bounce score of " + record.member().asString(), e);
            }
            add(dn, record, values);
        }
    }

    private void add(String dn, BounceRecord record, List<Modification> values) throws DirectoryUnavailableException {
        Entry entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", BOUNCE_CLASS);
        entry.addAttribute(MEMBER, record.member().asString());
        values.stream().filter(Modification::hasValue)
            .forEach(value -> entry.addAttribute(value.getAttributeName(), value.getValues()));
        try {
            pool.add(entry);
        } catch (LDAPException e) {
            throw LdapListDirectory.unavailable("store the bounce score of " + record.member().asString(), e);
        }
    }

    @Override
    public boolean remove(DistributionList list, MailAddress member) throws DirectoryUnavailableException {
        try {
            pool.delete(dn(list, member));
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return false;
            }
            throw LdapListDirectory.unavailable("remove the bounce score of " + member.asString(), e);
        }
    }

    private static String dn(DistributionList list, MailAddress member) throws DirectoryUnavailableException {
        try {
            return new DN(new RDN(MEMBER, member.asString()), new DN(list.dn())).toString();
        } catch (LDAPException e) {
            throw LdapListDirectory.unavailable("name the bounce score of " + member.asString(), e);
        }
    }

    private static Modification time(String attribute, Optional<Instant> value) {
        return value.map(instant -> new Modification(ModificationType.REPLACE, attribute,
                StaticUtils.encodeGeneralizedTime(Date.from(instant))))
            .orElseGet(() -> new Modification(ModificationType.REPLACE, attribute));
    }

    /** The record of an entry; empty (WARN) when its member or a value does not parse. */
    private static Optional<BounceRecord> read(Entry entry) {
        try {
            return Optional.of(new BounceRecord(new MailAddress(entry.getAttributeValue(MEMBER)),
                Double.parseDouble(Optional.ofNullable(entry.getAttributeValue(SCORE)).orElse("0")),
                time(entry, DATE).map(instant -> LocalDate.ofInstant(instant, ZoneOffset.UTC)), time(entry, DISABLED),
                Optional.ofNullable(entry.getAttributeValueAsInteger(NOTICES)).orElse(0), time(entry, NOTICE_DATE)));
        } catch (AddressException | java.text.ParseException | RuntimeException e) {
            LOGGER.warn("Lists: bounce score entry {} ignored: {}", entry.getDN(), e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Instant> time(Entry entry, String attribute) throws java.text.ParseException {
        String value = entry.getAttributeValue(attribute);
        return value == null ? Optional.empty() : Optional.of(StaticUtils.decodeGeneralizedTime(value).toInstant());
    }

    /** A threshold is a positive decimal number. */
    public static double threshold(String value) {
        try {
            double threshold = Double.parseDouble(value.trim());
            if (threshold > 0) {
                return threshold;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'" + value + "' is no bounce threshold (a positive number, e.g. 5.0)");
    }
}
