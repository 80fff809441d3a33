package org.switchboard.mailets.lists;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;

/**
 * A distribution list as the directory holds it (an {@code ielist} entry named {@code mail=<address>}).
 *
 * @param dn           the entry's DN
 * @param address      its {@code mail}: where members post
 * @param description  {@code description} (or {@code cn}), shown in {@code List-Id}; may be empty
 * @param posting      {@code ieListPosting}: who may post
 * @param subscription {@code ieListSubscription}: how people join by mail
 * @param members      every member with its delivery mode ({@code ieListMember}, {@code ieListDigestMember}), in
 *                     directory order; an address in both attributes counts as immediate
 * @param owners       {@code ieListOwnerAddress}
 * @param blocked      {@code ieListBlocked}: addresses, and domains written {@code @domain}, lower-cased
 * @param subjectPrefix {@code ieListSubjectPrefix}, put before the Subject of list messages when present
 * @param archive      {@code ieListArchive}
 * @param replyTo      {@code ieListReplyTo}: {@code LIST} (replies go to the list), an address, or empty (the
 *                     value {@code SENDER}, or none: the post's own Reply-To, if any, is kept)
 * @param maxMessageSize {@code ieListMaxMessageSize}: the largest post accepted, in octets; empty: no limit
 * @param digest       {@code ieListDigestInterval}, {@code ieListDigestMaxMessages}: when digests go out
 * @param bans         {@code ieListBan}: who may neither post nor join ({@link Ban})
 * @param dmarc        {@code ieListDmarc}: what posts from domains publishing a strict DMARC policy become
 */
public record DistributionList(String dn, MailAddress address, String description, PostingPolicy posting,
                               SubscriptionPolicy subscription, Map<MailAddress, DeliveryMode> members,
                               Set<MailAddress> owners, Set<String> blocked, Optional<String> subjectPrefix,
                               boolean archive, Optional<MailAddress> replyTo, Optional<Long> maxMessageSize,
                               DigestSettings digest, List<Ban> bans, DmarcMitigation dmarc) {
    /** Suffixes of the list's command addresses, Mailman's way: {@code staff-request@example.com}. */
    public static final String REQUEST = "-request";
    public static final String SUBSCRIBE = "-subscribe";
    public static final String UNSUBSCRIBE = "-unsubscribe";
    public static final String BOUNCES = "-bounces";
    public static final String OWNER = "-owner";
    public static final List<String> COMMAND_SUFFIXES = List.of(REQUEST, SUBSCRIBE, UNSUBSCRIBE, BOUNCES, OWNER);

    public DistributionList {
        members = Map.copyOf(members);
        owners = Set.copyOf(owners);
        blocked = Set.copyOf(blocked);
        bans = List.copyOf(bans);
    }

    /** The first ban that matches the address; empty when none does. */
    public Optional<Ban> banned(MailAddress address) {
        return bans.stream().filter(ban -> ban.matches(address)).findFirst();
    }

    public boolean isMember(MailAddress address) {
        return members.containsKey(address);
    }

    /** The members in that delivery mode, in directory order. */
    public List<MailAddress> members(DeliveryMode mode) {
        return members.entrySet().stream().filter(member -> member.getValue() == mode).map(Map.Entry::getKey)
            .toList();
    }

    public boolean isOwner(MailAddress address) {
        return owners.contains(address);
    }

    /** Whether the envelope sender's address, or its domain ({@code @domain}), is blocked. */
    public boolean blocks(MailAddress sender) {
        return blocked.contains(sender.asString().toLowerCase(Locale.ROOT))
            || blocked.contains("@" + sender.getDomain().asString().toLowerCase(Locale.ROOT));
    }

    /**
     * The RFC 2919 list identifier: the list's address with its {@code @} turned into a dot
     * ({@code staff.example.com}), characters a dot-atom cannot hold replaced by {@code -}.
     */
    public String listId() {
        String local = address.getLocalPart().replaceAll("[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", "-");
        return (local + "." + address.getDomain().asString()).toLowerCase(Locale.ROOT);
    }

    /** The command address with that suffix ({@link #COMMAND_SUFFIXES}), e.g. {@code staff-request@example.com}. */
    public MailAddress commandAddress(String suffix) {
        try {
            return new MailAddress(address.getLocalPart() + suffix, address.getDomain());
        } catch (AddressException e) {
            throw new IllegalStateException("list address " + address.asString() + " has no command address " + suffix,
                e);
        }
    }

    /**
     * The list address a command address belongs to, and which command, when the address ends with one of the
     * {@link #COMMAND_SUFFIXES}: {@code staff-request@example.com} is {@code (staff@example.com, -request)}. A VERP
     * bounce address ({@link Verp}: {@code staff-bounces+bob=example.org@example.com}) is {@code -bounces}.
     */
    public static Optional<Command> commandOf(MailAddress address) {
        MailAddress recipient = Verp.bounceAddress(address).orElse(address);
        String local = recipient.getLocalPart();
        for (String suffix : COMMAND_SUFFIXES) {
            if (local.length() > suffix.length() && local.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                try {
                    return Optional.of(new Command(new MailAddress(local.substring(0, local.length() - suffix.length()),
                        recipient.getDomain()), suffix));
                } catch (AddressException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** A command address split: the list's address and the suffix ({@link #REQUEST}, ...). */
    public record Command(MailAddress list, String suffix) {
    }
}
