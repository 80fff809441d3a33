package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.Address;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.InputChannel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * The Distribution List Manager's posting side (spec, DL channel): each recipient of the mail is a list (the Message
 * Switch routed it {@code DL$<list>}); the list is read from the directory, the post checked, and one new mail is
 * sent to the list's members, entering the pipeline again at {@code processor} (default {@code preprocess}) with the
 * input channel {@code DL}, so the Message Switch routes each member and the Channel Action Matrix applies.
 *
 * <ul>
 *   <li>Who may post: {@link PostingPolicy} ({@code ieListPosting}); a post from an envelope sender whose address or
 *       domain the list blocks ({@code ieListBlocked}) or bans ({@code ieListBan}, {@link Ban}), or with a From:
 *       author the list bans, is refused too (a blocked member still receives), and so is a
 *       post larger than {@code ieListMaxMessageSize}. A refused
 *       post goes, with an error message saying why, to {@code rejectProcessor} (default {@code lists-rejected},
 *       which bounces it to its sender). On a MODERATED list, a post from someone who is neither member nor owner
 *       goes to {@code moderationProcessor} (default {@code lists-moderation}, {@link ListModeration}) to be held
 *       until an owner decides.</li>
 *   <li>The new mail: envelope sender {@code <list>-bounces@domain}, so that failures never reach the poster; the
 *       list header fields of {@link ListHeaders}; the message otherwise as posted (same Message-ID).</li>
 *   <li>Bounce processing ({@link ListBounces}): members whose delivery is disabled get no posts. With VERP
 *       ({@link VerpMode}: {@code ieListVerp}; AUTO, the default, for lists of at most {@code verpMaxMembers}
 *       receiving members, default 100) each member's copy is a mail of its own from
 *       {@code <list>-bounces+<member, @ as =>@domain}, and carries the member's one-click unsubscribe link
 *       ({@link OneClickLinks}, RFC 8058) when the server's unsubscribe endpoint is configured. Disabled members get their due reminder
 *       (every {@code reminderInterval}, default {@code 7d}), and those who had {@code reminders} (default 3) already
 *       are removed with a notice ({@link BounceReminders}: at each post, and on the server's schedule).</li>
 *   <li>DMARC: a post whose author's domain publishes {@code p=reject} or {@code p=quarantine} ({@link DmarcPolicy})
 *       goes out as the list's {@code ieListDmarc} says ({@link DmarcMitigation}: From munged, the default, or the
 *       post wrapped).</li>
 *   <li>Loops: a post that carries this list's {@code List-Id} or loop marker is not sent again: it goes to
 *       {@code loopProcessor} (default {@code lists-loop}).</li>
 *   <li>A list the directory no longer has goes to {@code rejectProcessor}; a directory that does not answer sends
 *       the whole mail, unchanged, to {@code unavailableProcessor} (default {@code directory-unavailable}).</li>
 * </ul>
 * Members in immediate mode receive each post as it comes; for members in digest mode the post is kept for the
 * list's next digest ({@link ListDigests}); a list that archives keeps each post in its archive ({@link ListArchive})
 * before its members receive it.
 */
public class DistributionListManager extends GenericMailet {
    public static final String PROCESSOR_PARAMETER = "processor";
    public static final String REJECT_PROCESSOR_PARAMETER = "rejectProcessor";
    public static final String LOOP_PROCESSOR_PARAMETER = "loopProcessor";
    public static final String UNAVAILABLE_PROCESSOR_PARAMETER = "unavailableProcessor";
    public static final String VERP_MAX_MEMBERS_PARAMETER = "verpMaxMembers";
    public static final String REMINDERS_PARAMETER = "reminders";
    public static final String REMINDER_INTERVAL_PARAMETER = "reminderInterval";
    public static final String MODERATION_PROCESSOR_PARAMETER = "moderationProcessor";
    /** Set by {@link ListRequests} on a held post an owner approved: the list's address. */
    public static final AttributeName APPROVED = AttributeName.of("org.switchboard.lists.approved");
    private static final Logger LOGGER = LoggerFactory.getLogger(DistributionListManager.class);

    private final ListDirectory directory;
    private final ListDigests digests;
    private final ListArchive archive;
    private final BounceRecords bounceRecords;
    private final DNSService dns;
    private final BounceReminders bounceReminders;
    private final OneClickLinks oneClickLinks;
    private ProcessingState processor;
    private ProcessingState rejectProcessor;
    private ProcessingState loopProcessor;
    private ProcessingState unavailableProcessor;
    private ProcessingState moderationProcessor;
    private int verpMaxMembers;

    public DistributionListManager(ListDirectory directory, ListDigests digests, ListArchive archive,
                                   BounceRecords bounceRecords, DNSService dns) {
        this(directory, digests, archive, bounceRecords, dns, Clock.systemUTC());
    }

    /**
     * {@code dns}: where authors' DMARC policies are read; {@code clock}: what "now" is, for the reminders to members
     * whose delivery is disabled.
     */
    public DistributionListManager(ListDirectory directory, ListDigests digests, ListArchive archive,
                                   BounceRecords bounceRecords, DNSService dns, Clock clock) {
        this(directory, digests, archive, bounceRecords, dns, new BounceReminders(directory, bounceRecords, clock),
            OneClickLinks.disabled());
    }

    /**
     * {@code bounceReminders}: shared with the server's schedule, which reminds with this mailet's settings;
     * {@code oneClickLinks}: the one-click unsubscribe links of members' own copies.
     */
    @Inject
    public DistributionListManager(ListDirectory directory, ListDigests digests, ListArchive archive,
                                   BounceRecords bounceRecords, DNSService dns, BounceReminders bounceReminders,
                                   OneClickLinks oneClickLinks) {
        this.directory = directory;
        this.digests = digests;
        this.archive = archive;
        this.bounceRecords = bounceRecords;
        this.dns = dns;
        this.bounceReminders = bounceReminders;
        this.oneClickLinks = oneClickLinks;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(PROCESSOR_PARAMETER, REJECT_PROCESSOR_PARAMETER,
            LOOP_PROCESSOR_PARAMETER, UNAVAILABLE_PROCESSOR_PARAMETER, VERP_MAX_MEMBERS_PARAMETER, REMINDERS_PARAMETER,
            REMINDER_INTERVAL_PARAMETER, MODERATION_PROCESSOR_PARAMETER));
        processor = new ProcessingState(parameters.value(PROCESSOR_PARAMETER, "preprocess"));
        rejectProcessor = new ProcessingState(parameters.value(REJECT_PROCESSOR_PARAMETER, "lists-rejected"));
        loopProcessor = new ProcessingState(parameters.value(LOOP_PROCESSOR_PARAMETER, "lists-loop"));
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            "directory-unavailable"));
        verpMaxMembers = parameters.number(VERP_MAX_MEMBERS_PARAMETER, 100, 0, Integer.MAX_VALUE);
        int reminders = parameters.number(REMINDERS_PARAMETER, 3, 0, Integer.MAX_VALUE);
        moderationProcessor = new ProcessingState(parameters.value(MODERATION_PROCESSOR_PARAMETER,
            "lists-moderation"));
        bounceReminders.configure(reminders, parameters.duration(REMINDER_INTERVAL_PARAMETER, "7d",
            ChronoUnit.SECONDS));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.copyOf(new LinkedHashSet<>(List.of(processor, rejectProcessor, loopProcessor,
            unavailableProcessor, moderationProcessor)));
    }

    @Override
    public String getMailetInfo() {
        return "Distribution List Manager: expands posts to list members";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        Map<MailAddress, Optional<DistributionList>> lists = new LinkedHashMap<>();
        Map<MailAddress, BounceState> bounceStates = new LinkedHashMap<>();
        try {
            for (MailAddress recipient : mail.getRecipients()) {
                MailAddress listAddress = listAddress(recipient, routes.get(recipient));
                Optional<DistributionList> list = directory.find(listAddress);
                lists.put(recipient, list);
                if (list.isPresent()) {
                    bounceStates.put(recipient, bounceRecords.state(list.get()));
                }
            }
        } catch (DirectoryUnavailableException e) {
            Diversion.awaitDirectory(mail, unavailableProcessor, e);
            return;
        }
        for (Map.Entry<MailAddress, Optional<DistributionList>> entry : lists.entrySet()) {
            if (entry.getValue().isEmpty()) {
                divert(mail, entry.getKey(), rejectProcessor, entry.getKey().asString() + " is no distribution list");
            } else {
                post(mail, entry.getKey(), entry.getValue().get(), bounceStates.get(entry.getKey()));
            }
        }
        mail.setState(Mail.GHOST);
    }

    static MailAddress listAddress(MailAddress recipient, Route route) {
        if (route != null && route.channel() == Channel.DL) {
            return route.mailAddress().orElse(recipient);
        }
        return recipient;
    }

    private void post(Mail mail, MailAddress recipient, DistributionList list, BounceState bounces)
        throws MessagingException {
        if (ListHeaders.loopsThrough(mail.getMessage(), list)) {
            divert(mail, recipient, loopProcessor, "Mail loop: the message already went through the list "
                + list.address().asString());
            return;
        }
        Optional<String> refusal = refusal(mail.getMaybeSender().asOptional(), mail.getMessageSize(), list);
        if (refusal.isEmpty()) {
            refusal = bannedAuthor(mail.getMessage(), list);
        }
        if (refusal.isPresent()) {
            divert(mail, recipient, rejectProcessor, refusal.get());
            return;
        }
        if (needsModeration(mail, list)) {
            divert(mail, recipient, moderationProcessor, "Held for moderation: "
                + mail.getMaybeSender().asString() + " is not a member of the moderated list "
                + list.address().asString());
            return;
        }
        // digest members get the digest (ListDigests); members whose delivery bounce processing disabled get nothing
        List<MailAddress> immediate = list.members(DeliveryMode.IMMEDIATE).stream()
            .filter(member -> !bounces.isDisabled(member)).toList();
        bounceReminders.remind(getMailetContext(), list, bounces);
        DmarcMitigation dmarc = dmarcMitigation(mail, list);
        MimeMessageWrapper distributed = distributed(mail.getMessage(), list, dmarc);
        try {
            keep(list, distributed);
            if (immediate.isEmpty()) {
                LOGGER.info("Lists, mail {}: list {} has no members that receive each post; none sent", mail.getName(),
                    list.address().asString());
                return;
            }
            if (bounces.verp().applies(immediate.size(), verpMaxMembers)) {
                for (MailAddress member : immediate) {
                    send(mail, list, List.of(member), Verp.address(list, member), distributed);
                }
            } else {
                send(mail, list, immediate, list.commandAddress(DistributionList.BOUNCES), distributed);
            }
        } finally {
            LifecycleUtil.dispose(distributed);
        }
    }

    /** The post as the list distributes, archives and digests it: list headers added, DMARC mitigation applied. */
    private static MimeMessageWrapper distributed(MimeMessage posted, DistributionList list, DmarcMitigation dmarc)
        throws MessagingException {
        Optional<InternetAddress> author = DmarcRewriting.author(posted);
        MimeMessageWrapper message = new MimeMessageWrapper(dmarc == DmarcMitigation.WRAP
            ? DmarcRewriting.wrap(posted, list, author.orElseThrow()) : posted);
        ListHeaders.apply(message, list);
        if (dmarc == DmarcMitigation.MUNGE) {
            DmarcRewriting.munge(message, list, author.orElseThrow());
        }
        message.saveChanges();
        return message;
    }

    /**
     * The list's {@link DmarcMitigation} when the post's author (its first From address) has a domain publishing DMARC
     * {@code p=reject} or {@code p=quarantine} outside the list's own organizational domain; {@link DmarcMitigation#NONE}
     * otherwise.
     */
    private DmarcMitigation dmarcMitigation(Mail mail, DistributionList list) throws MessagingException {
        Optional<InternetAddress> author = DmarcRewriting.author(mail.getMessage());
        if (list.dmarc() == DmarcMitigation.NONE || author.isEmpty()) {
            return DmarcMitigation.NONE;
        }
        Domain domain;
        try {
            domain = new MailAddress(author.get().getAddress()).getDomain();
        } catch (AddressException e) {
            return DmarcMitigation.NONE;
        }
        // the list's own organizational domain aligns with its envelope (relaxed SPF alignment): nothing to mitigate
        String listOrganization = DmarcPolicy.organizationalDomain(list.address().getDomain());
        if (DmarcPolicy.organizationalDomain(domain).equals(listOrganization) || !DmarcPolicy.isStrict(dns, domain)) {
            return DmarcMitigation.NONE;
        }
        LOGGER.info("Lists, mail {}: {} publishes a strict DMARC policy; the post to {} is sent with {}",
            mail.getName(), domain.asString(), list.address().asString(), list.dmarc());
        return list.dmarc();
    }

    /**
     * One new mail of the distributed post, from that envelope sender to those members; a copy for one member carries
     * that member's one-click unsubscribe link.
     */
    private void send(Mail mail, DistributionList list, List<MailAddress> members, MailAddress sender,
                      MimeMessage distributed) throws MessagingException {
        MailImpl post = MailImpl.builder()
            .name(MailImpl.getId())
            .sender(sender)
            .addRecipients(members)
            .build();
        try {
            // the post owns its copy (disposed with it); the builder would copy it once more
            MimeMessageWrapper copy = new MimeMessageWrapper(distributed);
            if (members.size() == 1 && oneClickLinks.enabled()) {
                oneClickLinks.apply(copy, list, members.get(0));
                copy.saveChanges();
            }
            post.setMessageNoCopy(copy);
            InputChannel.set(post, Channel.DL);
            getMailetContext().sendMail(post, processor.getValue());
        } finally {
            LifecycleUtil.dispose(post);
        }
        LOGGER.info("Lists, mail {}: post from {} to {} sent to {} member(s) as mail {} from {}", mail.getName(),
            mail.getMaybeSender().asString(), list.address().asString(), members.size(), post.getName(),
            sender.asString());
    }

    /** Archives the post when the list archives, and keeps it for the next digest when it has digest members. */
    private void keep(DistributionList list, MimeMessage post) throws MessagingException {
        if (list.archive()) {
            archive.archive(list, post);
        }
        if (list.members().containsValue(DeliveryMode.DIGEST)) {
            digests.keep(list, post);
        }
    }

    /** A non-member's post to a MODERATED list, that no owner approved yet ({@link #APPROVED}). */
    private static boolean needsModeration(Mail mail, DistributionList list) {
        if (list.posting() != PostingPolicy.MODERATED) {
            return false;
        }
        MailAddress poster = mail.getMaybeSender().get();
        boolean approved = mail.getAttribute(APPROVED).map(attribute -> attribute.getValue().value())
            .filter(list.address().asString()::equals).isPresent();
        return !approved && !list.isMember(poster) && !list.isOwner(poster);
    }

    /** Why the sender may not post this message ({@code size} octets) to the list; empty when it may. */
    static Optional<String> refusal(Optional<MailAddress> sender, long size, DistributionList list) {
        String name = list.address().asString();
        if (sender.isEmpty()) {
            return Optional.of("The list " + name + " takes no posts without a sender (MAIL FROM:<>)");
        }
        MailAddress poster = sender.get();
        if (list.blocks(poster)) {
            return Optional.of(poster.asString() + " is blocked from posting to the list " + name);
        }
        if (list.banned(poster).isPresent()) {
            return Optional.of(poster.asString() + " is banned from the list " + name);
        }
        boolean member = list.isMember(poster) || list.isOwner(poster);
        if (size > list.maxMessageSize().orElse(Long.MAX_VALUE)) {
            return Optional.of("The message (" + size + " octets) is larger than the list " + name + " accepts ("
                + list.maxMessageSize().get() + " octets)");
        }
        return switch (list.posting()) {
            case OPEN -> Optional.empty();
            case MEMBERS -> member ? Optional.empty() : Optional.of("The list " + name
                + " is closed: only its members may post, and " + poster.asString() + " is not a member");
            case MODERATED -> Optional.empty(); // a non-member's post is held: see needsModeration
            case OWNERS -> list.isOwner(poster) ? Optional.empty() : Optional.of("Only the owners of the list "
                + name + " may post to it");
        };
    }

    /**
     * Why the post is refused when one of its authors (From: header field) is banned: a banned person must not get
     * through by posting with another envelope sender. Unparsable From addresses are left to the envelope check.
     */
    static Optional<String> bannedAuthor(MimeMessage message, DistributionList list) throws MessagingException {
        Address[] authors;
        try {
            authors = message.getFrom();
        } catch (AddressException e) {
            return Optional.empty();
        }
        for (Address author : authors == null ? List.<Address>of() : List.of(authors)) {
            if (author instanceof InternetAddress internet) {
                try {
                    MailAddress address = new MailAddress(internet.getAddress());
                    if (list.banned(address).isPresent()) {
                        return Optional.of("The author " + address.asString() + " (From:) is banned from the list "
                            + list.address().asString());
                    }
                } catch (AddressException e) {
                    // not an address a ban can name
                }
            }
        }
        return Optional.empty();
    }

    /** A copy of the mail for that one recipient goes to the processor, with the reason as its error message. */
    private void divert(Mail mail, MailAddress recipient, ProcessingState target, String reason)
        throws MessagingException {
        LOGGER.info("Lists, mail {} from {} to {}: {} -> processor {}", mail.getName(),
            mail.getMaybeSender().asString(), recipient.asString(), reason, target.getValue());
        Diversion.divert(getMailetContext(), mail, recipient, target, reason);
    }
}
