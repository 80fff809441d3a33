package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * Moderation holds of the Distribution List Manager: a post the {@link DistributionListManager} sent here (a
 * non-member's post to a MODERATED list) is kept ({@link HeldPosts}, durable) under the token of a pending
 * {@link ListRequest.Type#POST} request stored in the directory; the list's owners (the postmaster when it has none)
 * get a notice with the token, the poster one saying the post waits. An owner's reply to {@code <list>-request@}
 * with the token decides ({@link ListRequests}): {@code approve} (or a plain reply) sends it to the members,
 * {@code reject} bounces it to the poster with the reason, {@code discard} drops it. A post nobody decides on within
 * {@code holdTimeout} (default {@value HeldPosts#DEFAULT_TIMEOUT_DAYS} days) expires ({@link HeldPostExpiry}). When the directory does not answer, the mail goes
 * unchanged to {@code unavailableProcessor} (default {@code directory-unavailable}).
 */
public class ListModeration extends GenericMailet {
    public static final String UNAVAILABLE_PROCESSOR_PARAMETER = "unavailableProcessor";
    public static final String HOLD_TIMEOUT_PARAMETER = "holdTimeout";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListModeration.class);

    private final ListDirectory directory;
    private final HeldPosts held;
    private final Clock clock;
    private ProcessingState unavailableProcessor;
    private Duration holdTimeout;

    @Inject
    public ListModeration(ListDirectory directory, HeldPosts held) {
        this(directory, held, Clock.systemUTC());
    }

    /** {@code clock}: when requests are made. */
    public ListModeration(ListDirectory directory, HeldPosts held, Clock clock) {
        this.directory = directory;
        this.held = held;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(UNAVAILABLE_PROCESSOR_PARAMETER,
            HOLD_TIMEOUT_PARAMETER));
        holdTimeout = parameters.duration(HOLD_TIMEOUT_PARAMETER, HeldPosts.DEFAULT_TIMEOUT_DAYS + "d",
            ChronoUnit.SECONDS);
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            "directory-unavailable"));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.of(unavailableProcessor);
    }

    @Override
    public String getMailetInfo() {
        return "Distribution List Manager: holds posts for moderation";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<MailAddress, Route> routes = RouteAttribute.read(mail);
        try {
            for (MailAddress recipient : mail.getRecipients()) {
                Optional<DistributionList> list = directory.find(DistributionListManager.listAddress(recipient,
                    routes.get(recipient)));
                if (list.isPresent() && mail.getMaybeSender().asOptional().isPresent()) {
                    hold(mail, recipient, list.get(), mail.getMaybeSender().get());
                } else {
                    LOGGER.warn("Lists, mail {} to {}: no list, or no sender, to hold it for; dropped", mail.getName(),
                        recipient.asString());
                }
            }
        } catch (DirectoryUnavailableException e) {
            Diversion.awaitDirectory(mail, unavailableProcessor, e);
            return;
        }
        mail.setState(Mail.GHOST);
    }

    private void hold(Mail mail, MailAddress recipient, DistributionList list, MailAddress poster)
        throws MessagingException, DirectoryUnavailableException {
        String name = list.address().asString();
        ListRequest request = ListRequest.create(ListRequest.Type.POST, poster, list.address(), clock.instant());
        Mail post = mail.duplicate();
        try {
            post.setRecipients(List.of(recipient));
            held.hold(request.token(), post, request.created().plus(holdTimeout));
        } finally {
            LifecycleUtil.dispose(post);
        }
        directory.addRequest(list, request);
        String subject = Optional.ofNullable(mail.getMessage().getSubject()).orElse("");
        LOGGER.info("Lists, mail {}: post from {} to {} held for moderation, token {}", mail.getName(),
            poster.asString(), name, request.token().substring(0, 8));
        ListNotice.send(getMailetContext(), list, List.copyOf(ListNotice.owners(getMailetContext(), list)),
            "Held post " + request.token() + ": " + poster.asString() + " to " + name,
            poster.asString() + " is not a member of the moderated list " + name + " and posted:\n\n    Subject: "
                + subject + "\n\nThe post is held. Write to " + list.commandAddress(DistributionList.REQUEST).asString()
                + " with one of these as the Subject:\n\n    approve " + request.token() + "   (send it to the members;"
                + " a plain reply keeping this Subject does the same)\n    reject " + request.token()
                + "    (return it to the poster)\n    discard " + request.token() + "   (drop it silently)\n");
        ListNotice.send(getMailetContext(), list, List.of(poster), "Your post to " + name + " awaits moderation",
            "Your post to the list " + name + " (Subject: " + subject + ") is held until the list's owner approves"
                + " it, because you are not a member of the list. If nobody decides on it by "
                + request.created().plus(holdTimeout) + ", it is deleted and you are told.\n");
    }
}
