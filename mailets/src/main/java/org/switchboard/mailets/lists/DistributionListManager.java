package org.switchboard.mailets.lists;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
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
 *       domain the list blocks ({@code ieListBlocked}) is refused too (a blocked member still receives), and so is a
 *       post larger than {@code ieListMaxMessageSize}. A refused
 *       post goes, with an error message saying why, to {@code rejectProcessor} (default {@code lists-rejected},
 *       which bounces it to its sender).</li>
 *   <li>The new mail: envelope sender {@code <list>-bounces@domain}, so that failures never reach the poster; the
 *       list header fields of {@link ListHeaders}; the message otherwise as posted (same Message-ID).</li>
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
    private static final Logger LOGGER = LoggerFactory.getLogger(DistributionListManager.class);

    private final ListDirectory directory;
    private final ListDigests digests;
    private final ListArchive archive;
    private ProcessingState processor;
    private ProcessingState rejectProcessor;
    private ProcessingState loopProcessor;
    private ProcessingState unavailableProcessor;

    @Inject
    public DistributionListManager(ListDirectory directory, ListDigests digests, ListArchive archive) {
        this.directory = directory;
        this.digests = digests;
        this.archive = archive;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(PROCESSOR_PARAMETER, REJECT_PROCESSOR_PARAMETER,
            LOOP_PROCESSOR_PARAMETER, UNAVAILABLE_PROCESSOR_PARAMETER));
        processor = new ProcessingState(parameters.value(PROCESSOR_PARAMETER, "preprocess"));
        rejectProcessor = new ProcessingState(parameters.value(REJECT_PROCESSOR_PARAMETER, "lists-rejected"));
        loopProcessor = new ProcessingState(parameters.value(LOOP_PROCESSOR_PARAMETER, "lists-loop"));
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            "directory-unavailable"));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.copyOf(new LinkedHashSet<>(List.of(processor, rejectProcessor, loopProcessor,
            unavailableProcessor)));
    }

    @Override
    public String getMailetInfo() {
        return "Distribution List Manager: expands posts to list members";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        Map<MailAddress, Optional<DistributionList>> lists = new LinkedHashMap<>();
        try {
            for (MailAddress recipient : mail.getRecipients()) {
                MailAddress listAddress = listAddress(recipient, routes.get(recipient));
                lists.put(recipient, directory.find(listAddress));
            }
        } catch (DirectoryUnavailableException e) {
            LOGGER.warn("Lists, mail {}: the directory is unavailable ({}); the mail goes unchanged to processor {}",
                mail.getName(), e.getMessage(), unavailableProcessor.getValue());
            mail.setState(unavailableProcessor.getValue());
            return;
        }
        for (Map.Entry<MailAddress, Optional<DistributionList>> entry : lists.entrySet()) {
            if (entry.getValue().isEmpty()) {
                divert(mail, entry.getKey(), rejectProcessor, entry.getKey().asString() + " is no distribution list");
            } else {
                post(mail, entry.getKey(), entry.getValue().get());
            }
        }
        mail.setState(Mail.GHOST);
    }

    private static MailAddress listAddress(MailAddress recipient, Route route) {
        if (route != null && route.channel() == Channel.DL) {
            return route.mailAddress().orElse(recipient);
        }
        return recipient;
    }

    private void post(Mail mail, MailAddress recipient, DistributionList list) throws MessagingException {
        if (ListHeaders.loopsThrough(mail.getMessage(), list)) {
            divert(mail, recipient, loopProcessor, "Mail loop: the message already went through the list "
                + list.address().asString());
            return;
        }
        Optional<String> refusal = refusal(mail.getMaybeSender().asOptional(), mail.getMessageSize(), list);
        if (refusal.isPresent()) {
            divert(mail, recipient, rejectProcessor, refusal.get());
            return;
        }
        List<MailAddress> immediate = list.members(DeliveryMode.IMMEDIATE);
        MailImpl post = MailImpl.builder()
            .name(MailImpl.getId())
            .sender(list.commandAddress(DistributionList.BOUNCES))
            .addRecipients(immediate)
            .build();
        try {
            // the post owns the copy (disposed with it); the builder would copy it once more
            MimeMessageWrapper message = new MimeMessageWrapper(mail.getMessage());
            post.setMessageNoCopy(message);
            ListHeaders.apply(message, list);
            message.saveChanges();
            keep(list, message);
            if (!immediate.isEmpty()) {
                InputChannel.set(post, Channel.DL);
                getMailetContext().sendMail(post, processor.getValue());
            }
        } finally {
            LifecycleUtil.dispose(post);
        }
        LOGGER.info("Lists, mail {}: post from {} to {} sent to {} member(s) in immediate mode as mail {}",
            mail.getName(), mail.getMaybeSender().asString(), list.address().asString(), immediate.size(),
            post.getName());
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
        boolean member = list.isMember(poster) || list.isOwner(poster);
        if (size > list.maxMessageSize().orElse(Long.MAX_VALUE)) {
            return Optional.of("The message (" + size + " octets) is larger than the list " + name + " accepts ("
                + list.maxMessageSize().get() + " octets)");
        }
        return switch (list.posting()) {
            case OPEN -> Optional.empty();
            case MEMBERS -> member ? Optional.empty() : Optional.of("The list " + name
                + " is closed: only its members may post, and " + poster.asString() + " is not a member");
            case MODERATED -> member ? Optional.empty() : Optional.of("The list " + name
                + " is moderated and holds for moderation are not available: only its members may post, and "
                + poster.asString() + " is not a member");
            case OWNERS -> list.isOwner(poster) ? Optional.empty() : Optional.of("Only the owners of the list "
                + name + " may post to it");
        };
    }

    /** A copy of the mail for that one recipient goes to the processor, with the reason as its error message. */
    private void divert(Mail mail, MailAddress recipient, ProcessingState target, String reason)
        throws MessagingException {
        LOGGER.info("Lists, mail {} from {} to {}: {} -> processor {}", mail.getName(),
            mail.getMaybeSender().asString(), recipient.asString(), reason, target.getValue());
        Diversion.divert(getMailetContext(), mail, recipient, target, reason);
    }
}
