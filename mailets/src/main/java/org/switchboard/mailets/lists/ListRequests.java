package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.InitParameters;

/**
 * The Distribution List Manager's mail commands (spec: automatic subscription and unsubscription), sent to a list's
 * command addresses ({@code staff-request@}, {@code staff-subscribe@}, {@code staff-unsubscribe@}):
 * <ul>
 *   <li>{@code -subscribe}, or {@code subscribe}/{@code join} as the Subject or first body line to {@code -request}:
 *       the envelope sender gets a confirmation request carrying a token; answering it (the token anywhere in the
 *       Subject or the body, to any command address) confirms. On an OPEN or CONFIRM list the requester is then a
 *       member (immediate delivery) and gets a welcome; on a CLOSED list the confirmed request goes to the list's
 *       owners (the postmaster when it has none) with a token of its own: an owner's reply approves it, a reply whose
 *       Subject contains the word {@code deny} rejects it, and the requester is told either way.</li>
 *   <li>{@code -unsubscribe}, or {@code unsubscribe}/{@code leave}: confirmed the same way, then the member is
 *       removed. A request from an address that is no member is answered so and logged (WARN).</li>
 *   <li>{@code digest}, {@code immediate} ({@code regular}), {@code set delivery digest|immediate} or
 *       {@code set digest on|off} to {@code -request}: a member's delivery mode ({@link DeliveryModeRequest}).</li>
 *   <li>{@code enable} to {@code -request}: a member whose delivery bounce processing disabled ({@link ListBounces})
 *       receives the posts again once it confirms with the token it is sent.</li>
 *   <li>{@code archive} to {@code -request}: the listing of the list's archive by date, for whoever may read it
 *       ({@link ListArchive}).</li>
 *   <li>A held post ({@link ListModeration}): an owner's mail with its token and, before the token in the Subject,
 *       {@code approve} (or nothing) sends it to the members (into {@code postProcessor}, default {@code lists}),
 *       {@code reject} returns it to the poster (into {@code rejectProcessor}, default {@code lists-rejected}),
 *       {@code discard} drops it. A banned address ({@code ieListBan}) may not subscribe.</li>
 *   <li>{@code help}, or anything else to {@code -request}: a short help.</li>
 *   <li>{@code -bounces}: delivery failures of list mail; they go to {@code bounceProcessor} (default
 *       {@code lists-bounces}).</li>
 *   <li>{@code -owner}: a copy goes to the owners (the postmaster when there are none), envelope sender
 *       {@code -bounces}.</li>
 * </ul>
 * Tokens are 160 random bits, stored in the directory below the list ({@link ListRequest}); each is used once and
 * expires after {@code confirmationTimeout} (default {@code 3d}); a held post's token when the post expires
 * ({@link HeldPostExpiry}). An unknown, expired or used token changes nothing
 * (the sender is told). Mail from robots (empty envelope sender, {@code Auto-Submitted} other than {@code no},
 * {@code Precedence: bulk/junk/list}) is never answered: it is logged and dropped, so two robots cannot loop.
 * When the directory does not answer, the mail goes unchanged to {@code unavailableProcessor} (default
 * {@code directory-unavailable}).
 */
public class ListRequests extends GenericMailet {
    public static final String CONFIRMATION_TIMEOUT_PARAMETER = "confirmationTimeout";
    public static final String BOUNCE_PROCESSOR_PARAMETER = "bounceProcessor";
    public static final String UNAVAILABLE_PROCESSOR_PARAMETER = "unavailableProcessor";
    public static final String REJECT_PROCESSOR_PARAMETER = "rejectProcessor";
    public static final String POST_PROCESSOR_PARAMETER = "postProcessor";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListRequests.class);
    private static final String ENABLE_COMMAND = "enable";
    private static final Pattern DENY = Pattern.compile("\\bdeny\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern REJECT = Pattern.compile("\\b(reject|deny)\\b");
    private static final Pattern DISCARD = Pattern.compile("\\bdiscard\\b");
    private static final Pattern REPLY_PREFIXES = Pattern.compile("^((re|fwd?|aw|sv)\\s*:\\s*)+",
        Pattern.CASE_INSENSITIVE);

    private final ListDirectory directory;
    private final ListArchive archive;
    private final HeldPosts held;
    private final BounceRecords bounceRecords;
    private final Clock clock;
    private Duration confirmationTimeout;
    private ProcessingState bounceProcessor;
    private ProcessingState unavailableProcessor;
    private ProcessingState rejectProcessor;
    private ProcessingState postProcessor;

    @Inject
    public ListRequests(ListDirectory directory, ListArchive archive, HeldPosts held, BounceRecords bounceRecords) {
        this(directory, archive, held, bounceRecords, Clock.systemUTC());
    }

    /** {@code clock}: what "now" is, for the expiry of tokens. */
    public ListRequests(ListDirectory directory, ListArchive archive, HeldPosts held, BounceRecords bounceRecords,
                        Clock clock) {
        this.directory = directory;
        this.archive = archive;
        this.held = held;
        this.bounceRecords = bounceRecords;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(CONFIRMATION_TIMEOUT_PARAMETER,
            BOUNCE_PROCESSOR_PARAMETER, UNAVAILABLE_PROCESSOR_PARAMETER, REJECT_PROCESSOR_PARAMETER,
            POST_PROCESSOR_PARAMETER));
        confirmationTimeout = parameters.duration(CONFIRMATION_TIMEOUT_PARAMETER, "3d", ChronoUnit.SECONDS);
        bounceProcessor = new ProcessingState(parameters.value(BOUNCE_PROCESSOR_PARAMETER, "lists-bounces"));
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            "directory-unavailable"));
        rejectProcessor = new ProcessingState(parameters.value(REJECT_PROCESSOR_PARAMETER, "lists-rejected"));
        postProcessor = new ProcessingState(parameters.value(POST_PROCESSOR_PARAMETER, "lists"));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.copyOf(new LinkedHashSet<>(List.of(bounceProcessor, unavailableProcessor, rejectProcessor,
            postProcessor)));
    }

    @Override
    public String getMailetInfo() {
        return "Distribution List Manager: subscribe, unsubscribe and confirm by mail";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        try {
            for (MailAddress recipient : mail.getRecipients()) {
                Optional<DistributionList.Command> command = DistributionList.commandOf(recipient);
                if (command.isEmpty()) {
                    LOGGER.warn("Lists, mail {}: {} is no list command address; left to processor error",
                        mail.getName(), recipient.asString());
                    Diversion.divert(getMailetContext(), mail, recipient, new ProcessingState(Mail.ERROR),
                        recipient.asString() + " is no list command address");
                } else if (command.get().suffix().equals(DistributionList.OWNER)) {
                    toOwners(mail, command.get().list());
                } else if (command.get().suffix().equals(DistributionList.BOUNCES)) {
                    LOGGER.info("Lists, mail {}: delivery failure report for {} -> processor {}", mail.getName(),
                        command.get().list().asString(), bounceProcessor.getValue());
                    Diversion.divert(getMailetContext(), mail, recipient, bounceProcessor,
                        "Delivery failure of mail from list " + command.get().list().asString());
                } else {
                    handle(mail, recipient, command.get());
                }
            }
        } catch (DirectoryUnavailableException e) {
            Diversion.awaitDirectory(mail, unavailableProcessor, e);
            return;
        }
        mail.setState(Mail.GHOST);
    }

    /** Mail to {@code <list>-owner@}: a copy to the owners (the postmaster when there are none), robots' too. */
    private void toOwners(Mail mail, MailAddress listAddress) throws MessagingException, DirectoryUnavailableException {
        Optional<DistributionList> list = directory.find(listAddress);
        if (list.isEmpty()) {
            LOGGER.info("Lists, mail {}: the list {} is gone", mail.getName(), listAddress.asString());
            return;
        }
        MailImpl copy = MailImpl.builder()
            .name(MailImpl.getId())
            .sender(list.get().commandAddress(DistributionList.BOUNCES))
            .addRecipients(List.copyOf(approvers(list.get())))
            .mimeMessage(mail.getMessage())
            .build();
        try {
            getMailetContext().sendMail(copy);
        } finally {
            LifecycleUtil.dispose(copy);
        }
        LOGGER.info("Lists, mail {} from {}: sent to the owners of {}", mail.getName(),
            mail.getMaybeSender().asString(), listAddress.asString());
    }

    private void handle(Mail mail, MailAddress recipient, DistributionList.Command command)
        throws MessagingException, DirectoryUnavailableException {
        Optional<String> robot = robot(mail);
        if (robot.isPresent()) {
            LOGGER.info("Lists, mail {} from {} to {}: not answered, it comes from a robot ({})", mail.getName(),
                mail.getMaybeSender().asString(), recipient.asString(), robot.get());
            return;
        }
        MailAddress sender = mail.getMaybeSender().get();
        Optional<DistributionList> list = directory.find(command.list());
        if (list.isEmpty()) {
            LOGGER.info("Lists, mail {}: the list {} is gone", mail.getName(), command.list().asString());
            return;
        }
        String subject = subject(mail.getMessage());
        String body = MessageText.firstText(mail.getMessage());
        Optional<String> token = ListRequest.findToken(subject).or(() -> ListRequest.findToken(body));
        if (token.isPresent()) {
            confirm(mail, sender, list.get(), token.get(), subject);
            return;
        }
        String line = firstLine(subject).or(() -> firstLine(body)).orElse("help");
        String word = command.suffix().equals(DistributionList.SUBSCRIBE) ? "subscribe"
            : command.suffix().equals(DistributionList.UNSUBSCRIBE) ? "unsubscribe"
            : line.split("\\s+")[0].toLowerCase(Locale.ROOT);
        Optional<DeliveryMode> mode = DeliveryModeRequest.parse(line);
        switch (word) {
            case "subscribe", "join" -> requestSubscription(mail, sender, list.get());
            case "unsubscribe", "leave" -> requestUnsubscription(mail, sender, list.get());
            case ListArchive.COMMAND -> sendArchive(mail, sender, list.get());
            case ENABLE_COMMAND -> requestEnable(mail, sender, list.get());
            default -> {
                if (DeliveryModeRequest.WORDS.contains(word) && mode.isPresent()) {
                    setDeliveryMode(mail, sender, list.get(), mode.get());
                } else {
                    ListNotice.send(getMailetContext(), list.get(), List.of(sender), "Help for the list "
                        + list.get().address().asString(), help(list.get(), word));
                }
            }
        }
    }

    /** A member's delivery mode command: done, and the member told; anyone else is told they are no member. */
    private void setDeliveryMode(Mail mail, MailAddress sender, DistributionList list, DeliveryMode mode)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        if (refusedToNonMember(mail, sender, list, "delivery mode", "nothing changed")) {
            return;
        }
        directory.setMember(list, sender, mode);
        LOGGER.info("Lists, mail {}: {} now receives {} in {} mode", mail.getName(), sender.asString(), name, mode);
        ListNotice.send(getMailetContext(), list, List.of(sender), "Delivery mode for " + name + ": "
                + mode.name().toLowerCase(Locale.ROOT), mode == DeliveryMode.DIGEST
            ? "You now receive the posts of " + name + " as digests. To receive each post as it comes, write"
                + " \"immediate\" to " + list.commandAddress(DistributionList.REQUEST).asString() + ".\n"
            : "You now receive each post of " + name + " as it comes. To receive digests, write \"digest\" to "
                + list.commandAddress(DistributionList.REQUEST).asString() + ".\n");
    }

    /** The archive's listing by date, to whoever may read it ({@link ListArchive#readable}). */
    private void sendArchive(Mail mail, MailAddress sender, DistributionList list) throws MessagingException {
        String name = list.address().asString();
        if (!list.archive()) {
            ListNotice.send(getMailetContext(), list, List.of(sender), "No archive for " + name,
                "The list " + name + " keeps no archive.\n");
        } else if (!ListArchive.readable(list, sender)) {
            LOGGER.warn("Lists, mail {}: {} asked for the archive of {}, which only members read", mail.getName(),
                sender.asString(), name);
            ListNotice.send(getMailetContext(), list, List.of(sender), "Archive of " + name + " refused",
                "Only the members of the list " + name + " read its archive, and " + sender.asString()
                    + " is not a member.\n");
        } else {
            List<String> lines = archive.listing(list, ArchiveOrder.DATE);
            ListNotice.send(getMailetContext(), list, List.of(sender), "Archive of " + name,
                lines.size() + " message(s) in the archive of " + name + ", by date:\n\n"
                    + String.join("\n", lines) + "\n");
        }
    }

    private void requestSubscription(Mail mail, MailAddress sender, DistributionList list)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        if (list.banned(sender).isPresent()) {
            LOGGER.info("Lists, mail {}: {} is banned from {}: subscription refused", mail.getName(), sender.asString(),
                name);
            ListNotice.send(getMailetContext(), list, List.of(sender), "You may not join " + name,
                sender.asString() + " is banned from the list " + name + ".\n");
            return;
        }
        if (list.isMember(sender)) {
            ListNotice.send(getMailetContext(), list, List.of(sender), "You are already a member of " + name,
                sender.asString() + " is already a member of the list " + name + ".\n");
            return;
        }
        askToConfirm(mail, sender, list, ListRequest.Type.SUBSCRIBE, "join",
            (list.subscription().needsOwnerApproval()
                ? "The list is closed: once you confirm, its owner decides on your request.\n\n" : "")
                + "If you did not ask for this, ignore this message: nothing happens, and the request expires in "
                + describe(confirmationTimeout) + ".\n");
    }

    private void requestUnsubscription(Mail mail, MailAddress sender, DistributionList list)
        throws MessagingException, DirectoryUnavailableException {
        if (refusedToNonMember(mail, sender, list, "unsubscription", "nothing to unsubscribe")) {
            return;
        }
        askToConfirm(mail, sender, list, ListRequest.Type.UNSUBSCRIBE, "leave",
            "If you did not ask for this, ignore this message.\n");
    }

    /** A disabled member asks to receive the posts again: confirmed by token, as joining is. */
    private void requestEnable(Mail mail, MailAddress sender, DistributionList list)
        throws MessagingException, DirectoryUnavailableException {
        if (refusedToNonMember(mail, sender, list, "enable", "nothing to enable")) {
            return;
        }
        if (!bounceRecords.state(list).isDisabled(sender)) {
            ListNotice.send(getMailetContext(), list, List.of(sender), "Your delivery from " + list.address().asString()
                + " is not disabled", "The list " + list.address().asString() + " sends its posts to "
                + sender.asString() + ": there is nothing to enable.\n");
            return;
        }
        askToConfirm(mail, sender, list, ListRequest.Type.ENABLE, "receive again the posts of",
            "If you did not ask for this, ignore this message: nothing happens.\n");
    }

    /** When the sender is no member: logged (WARN), answered so, and true. */
    private boolean refusedToNonMember(Mail mail, MailAddress sender, DistributionList list, String request,
                                       String outcome) throws MessagingException {
        if (list.isMember(sender)) {
            return false;
        }
        String name = list.address().asString();
        LOGGER.warn("Lists, mail {}: {} request from {}, who is not a member of {}", mail.getName(), request,
            sender.asString(), name);
        ListNotice.send(getMailetContext(), list, List.of(sender), "You are not a member of " + name,
            sender.asString() + " is not a member of the list " + name + ": " + outcome + ".\n");
        return true;
    }

    /**
     * Records the request and mails its token to the requester: nothing changes until a reply confirms it.
     * {@code verb} is "join" or "leave"; {@code closing} ends the message.
     */
    private void askToConfirm(Mail mail, MailAddress sender, DistributionList list, ListRequest.Type type, String verb,
                              String closing) throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        ListRequest request = ListRequest.create(type, sender, list.address(), clock.instant());
        directory.addRequest(list, request);
        LOGGER.info("Lists, mail {}: {} asks to {} {}; confirmation request sent", mail.getName(), sender.asString(),
            verb, name);
        ListNotice.send(getMailetContext(), list, List.of(sender),
            "Confirm " + request.token() + ": " + verb + " " + name,
            "Someone, probably you, asked that " + sender.asString() + " " + verb + " the list " + name + ".\n\n"
                + "To confirm, reply to this message keeping its Subject, or send a message to "
                + list.commandAddress(DistributionList.REQUEST).asString() + " with this token in its Subject:\n\n    "
                + request.token() + "\n\n" + closing);
    }

    private void confirm(Mail mail, MailAddress sender, DistributionList list, String token, String subject)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        Optional<ListRequest> found = directory.request(token)
            .filter(request -> request.list().equals(list.address()));
        if (found.isPresent() && expired(found.get())) {
            LOGGER.info("Lists, mail {}: expired token for {} from {}", mail.getName(), name, sender.asString());
            if (found.get().type() == ListRequest.Type.POST) {
                // nobody decided in time: the held post is dropped, as Mailman discards expired holds
                heldPostExpiry().expire(token);
            } else {
                directory.removeRequest(found.get());
            }
            found = Optional.empty();
        }
        if (found.isPresent() && (found.get().type() == ListRequest.Type.APPROVAL
            || found.get().type() == ListRequest.Type.POST) && !approvers(list).contains(sender)) {
            LOGGER.warn("Lists, mail {}: {} answered the approval of a subscription to {} but is no owner of it",
                mail.getName(), sender.asString(), name);
            ListNotice.send(getMailetContext(), list, List.of(sender), "Not done: " + name,
                "Only the owners of the list " + name + " decide on subscriptions and held posts.\n");
            return;
        }
        // removing the request is what answers it: a second use of the token finds nothing
        if (found.isEmpty() || !directory.removeRequest(found.get())) {
            LOGGER.info("Lists, mail {}: unknown, used or expired token for {} from {}; nothing done", mail.getName(),
                name, sender.asString());
            ListNotice.send(getMailetContext(), list, List.of(sender), "Not done: " + name,
                "There is no pending request of the list " + name + " with that token: it may have expired or been"
                    + " used already. Nothing was changed.\n");
            return;
        }
        ListRequest request = found.get();
        switch (request.type()) {
            case SUBSCRIBE -> {
                if (list.subscription().needsOwnerApproval()) {
                    askApproval(mail, list, request);
                } else {
                    welcome(mail, list, request.address());
                }
            }
            case UNSUBSCRIBE -> {
                directory.removeMember(list, request.address());
                LOGGER.info("Lists, mail {}: {} left {}", mail.getName(), request.address().asString(), name);
                ListNotice.goodbye(getMailetContext(), list, request.address());
            }
            case POST -> moderate(mail, sender, list, request, subject);
            case ENABLE -> {
                // removing the bounce record is what re-enables delivery (as james-cli ResetListBounces does)
                bounceRecords.remove(list, request.address());
                LOGGER.info("Lists, mail {}: {} re-enabled its delivery from {}", mail.getName(),
                    request.address().asString(), name);
                ListNotice.send(getMailetContext(), list, List.of(request.address()), "Your delivery from " + name
                    + " is enabled again", "The list " + name + " sends its posts to " + request.address().asString()
                    + " again.\n");
            }
            case APPROVAL -> {
                if (DENY.matcher(subject).find()) {
                    LOGGER.info("Lists, mail {}: {} denied the subscription of {} to {}", mail.getName(),
                        sender.asString(), request.address().asString(), name);
                    ListNotice.send(getMailetContext(), list, List.of(request.address()),
                        "Subscription to " + name + " denied", "The owner of the list " + name
                            + " denied the subscription of " + request.address().asString() + ".\n");
                    ListNotice.send(getMailetContext(), list, List.of(sender), "Denied: " + request.address().asString(),
                        "The subscription of " + request.address().asString() + " to " + name + " is denied.\n");
                } else {
                    welcome(mail, list, request.address());
                    ListNotice.send(getMailetContext(), list, List.of(sender),
                        "Approved: " + request.address().asString(), request.address().asString()
                            + " is now a member of " + name + ".\n");
                }
            }
        }
    }

    /**
     * An owner's decision on a held post: the word before the token in the Subject ({@code reject}/{@code deny},
     * {@code discard}; anything else approves), so that words of the post's own Subject count for nothing.
     */
    private void moderate(Mail mail, MailAddress owner, DistributionList list, ListRequest request, String subject)
        throws MessagingException {
        String name = list.address().asString();
        String decision = subject.substring(0, Math.max(0, subject.toLowerCase(Locale.ROOT).indexOf(request.token())))
            .toLowerCase(Locale.ROOT);
        Optional<Mail> post = held.take(request.token());
        if (post.isEmpty()) {
            LOGGER.warn("Lists, mail {}: the held post {} of {} is gone", mail.getName(), request.token(), name);
            return;
        }
        try {
            String outcome;
            if (REJECT.matcher(decision).find()) {
                post.get().setErrorMessage("The owner of the list " + name + " rejected the post");
                getMailetContext().sendMail(post.get(), rejectProcessor.getValue());
                outcome = "rejected: returned to " + request.address().asString();
            } else if (DISCARD.matcher(decision).find()) {
                outcome = "discarded";
            } else {
                post.get().setAttribute(new Attribute(DistributionListManager.APPROVED,
                    AttributeValue.of(list.address().asString())));
                getMailetContext().sendMail(post.get(), postProcessor.getValue());
                outcome = "approved: sent to the members";
            }
            LOGGER.info("Lists, mail {}: {} decided on the post of {} to {}: {}", mail.getName(), owner.asString(),
                request.address().asString(), name, outcome);
            ListNotice.send(getMailetContext(), list, List.of(owner), "Held post " + outcome,
                "The post of " + request.address().asString() + " to " + name + " was " + outcome + ".\n");
        } finally {
            LifecycleUtil.dispose(post.get());
        }
    }

    private void askApproval(Mail mail, DistributionList list, ListRequest confirmed)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        ListRequest approval = ListRequest.create(ListRequest.Type.APPROVAL, confirmed.address(), list.address(),
            clock.instant());
        directory.addRequest(list, approval);
        LOGGER.info("Lists, mail {}: {} confirmed the request to join {}; sent to the owners for approval",
            mail.getName(), confirmed.address().asString(), name);
        ListNotice.send(getMailetContext(), list, List.copyOf(approvers(list)), "Subscription request "
                + approval.token() + ": " + confirmed.address().asString() + " to " + name,
            confirmed.address().asString() + " asks to join the closed list " + name + " and confirmed the request.\n\n"
                + "To approve, reply to this message keeping the token of its Subject. To reject, reply with the word"
                + " \"deny\" added to the Subject. The request expires in " + describe(confirmationTimeout) + ".\n");
        ListNotice.send(getMailetContext(), list, List.of(confirmed.address()), "Request to join " + name
                + " sent to its owner",
            "Thank you for confirming. The list " + name + " is closed: its owner now decides on your request, and"
                + " you will be told.\n");
    }

    private void welcome(Mail mail, DistributionList list, MailAddress member)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        directory.setMember(list, member, DeliveryMode.IMMEDIATE);
        LOGGER.info("Lists, mail {}: {} joined {}", mail.getName(), member.asString(), name);
        ListNotice.send(getMailetContext(), list, List.of(member), "Welcome to " + name,
            "Welcome to the list " + name + (list.description().isEmpty() ? "" : " (" + list.description() + ")")
                + ".\n\nTo post, write to " + name + ".\nTo leave, write to "
                + list.commandAddress(DistributionList.UNSUBSCRIBE).asString() + ".\n");
    }

    private Set<MailAddress> approvers(DistributionList list) {
        return ListNotice.owners(getMailetContext(), list);
    }

    /** A held post's request expires with the post ({@link HeldPostExpiry}), others after confirmationTimeout. */
    private boolean expired(ListRequest request) throws MessagingException {
        if (request.type() == ListRequest.Type.POST) {
            return heldPostExpiry().expired(request.token());
        }
        return request.created().plus(confirmationTimeout).isBefore(clock.instant());
    }

    private HeldPostExpiry heldPostExpiry() {
        return new HeldPostExpiry(directory, held, getMailetContext(), clock);
    }

    private static String help(DistributionList list, String word) {
        String name = list.address().asString();
        return (word.equals("help") ? "" : "Unknown command \"" + word + "\".\n\n")
            + "Commands of the list " + name + ":\n"
            + "  join:  write to " + list.commandAddress(DistributionList.SUBSCRIBE).asString() + "\n"
            + "  leave: write to " + list.commandAddress(DistributionList.UNSUBSCRIBE).asString() + "\n"
            + "  or write to " + list.commandAddress(DistributionList.REQUEST).asString()
            + " with subscribe, unsubscribe or help as the Subject.\n"
            + "  digests: write digest (or immediate, to receive each post as it comes) to "
            + list.commandAddress(DistributionList.REQUEST).asString() + "\n"
            + "  enable: write enable to " + list.commandAddress(DistributionList.REQUEST).asString()
            + " when bounces disabled your delivery\n"
            + (list.archive() ? "  archive: write archive to " + list.commandAddress(DistributionList.REQUEST)
                .asString() + " for the list of archived posts\n" : "")
            + "Posts go to " + name + ".\n";
    }

    /** Why the mail is a robot's, never answered; empty for a person's. */
    private static Optional<String> robot(Mail mail) throws MessagingException {
        if (mail.getMaybeSender().isNullSender() || mail.getMaybeSender().asOptional().isEmpty()) {
            return Optional.of("empty envelope sender");
        }
        MimeMessage message = mail.getMessage();
        String autoSubmitted = message.getHeader("Auto-Submitted", ",");
        if (autoSubmitted != null && !autoSubmitted.trim().toLowerCase(Locale.ROOT).startsWith("no")) {
            return Optional.of("Auto-Submitted: " + autoSubmitted.trim());
        }
        String precedence = message.getHeader("Precedence", ",");
        if (precedence != null && Set.of("bulk", "junk", "list").contains(precedence.trim().toLowerCase(Locale.ROOT))) {
            return Optional.of("Precedence: " + precedence.trim());
        }
        return Optional.empty();
    }

    private static String subject(MimeMessage message) throws MessagingException {
        return Optional.ofNullable(message.getSubject()).orElse("");
    }

    /** A Subject without its Re:/Fwd: prefixes, or the first non-blank line of a body. */
    private static Optional<String> firstLine(String text) {
        for (String line : text.lines().toList()) {
            String words = REPLY_PREFIXES.matcher(line.trim()).replaceFirst("").trim();
            if (!words.isEmpty()) {
                return Optional.of(words);
            }
        }
        return Optional.empty();
    }

    private static String describe(Duration duration) {
        return duration.toHours() >= 48 ? duration.toDays() + " days" : duration.toHours() >= 1
            ? duration.toHours() + " hours" : duration.toMinutes() + " minutes";
    }
}
