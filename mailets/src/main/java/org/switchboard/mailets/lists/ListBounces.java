package org.switchboard.mailets.lists;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;
import org.switchboard.pipeline.InitParameters;

/**
 * Bounce processing of the Distribution List Manager, Mailman's way: a delivery failure report that came back to a
 * list's bounce address ({@code staff-bounces@}, or its VERP form {@code staff-bounces+bob=example.org@}) is read
 * ({@link BounceParser}), each failed address that is a member of the list gets the bounce counted in its record
 * ({@link BounceRecord}: hard 1.0, soft 0.5, at most one per day, the score starting again after {@code staleAfter}
 * without bounces, default {@code 7d}), and a member whose score reaches the list's threshold
 * ({@code ieListBounceThreshold}, default 5.0) has its delivery disabled, with a notice to it and to the list's owners.
 * Reminders and the removal come later, from the {@link DistributionListManager}.
 *
 * <p>A report that names no member of the list goes on in the processor (for the administrator's repository); a
 * counted one ends here. Bounces never reach the poster: the poster's address is not their recipient. When the
 * directory does not answer, the mail goes unchanged to {@code unavailableProcessor} (default
 * {@code directory-unavailable}).
 */
public class ListBounces extends GenericMailet {
    public static final String STALE_AFTER_PARAMETER = "staleAfter";
    public static final String UNAVAILABLE_PROCESSOR_PARAMETER = "unavailableProcessor";
    private static final Logger LOGGER = LoggerFactory.getLogger(ListBounces.class);

    private final ListDirectory directory;
    private final BounceRecords records;
    private final Clock clock;
    private Duration staleAfter;
    private ProcessingState unavailableProcessor;

    @Inject
    public ListBounces(ListDirectory directory, BounceRecords records) {
        this(directory, records, Clock.systemUTC());
    }

    /** {@code clock}: what "today" is, for counting one bounce a day. */
    public ListBounces(ListDirectory directory, BounceRecords records, Clock clock) {
        this.directory = directory;
        this.records = records;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of(STALE_AFTER_PARAMETER,
            UNAVAILABLE_PROCESSOR_PARAMETER));
        staleAfter = parameters.duration(STALE_AFTER_PARAMETER, "7d", ChronoUnit.SECONDS);
        unavailableProcessor = new ProcessingState(parameters.value(UNAVAILABLE_PROCESSOR_PARAMETER,
            "directory-unavailable"));
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return List.of(unavailableProcessor);
    }

    @Override
    public String getMailetInfo() {
        return "Distribution List Manager: bounce scores of list members";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        boolean counted = false;
        try {
            for (MailAddress recipient : mail.getRecipients()) {
                counted |= count(mail, recipient);
            }
        } catch (DirectoryUnavailableException e) {
            Diversion.awaitDirectory(mail, unavailableProcessor, e);
            return;
        }
        if (counted) {
            mail.setState(Mail.GHOST);
        }
    }

    /** Counts the report sent to that bounce address; false when it named no member of the list. */
    private boolean count(Mail mail, MailAddress recipient) throws MessagingException, DirectoryUnavailableException {
        Optional<DistributionList.Command> command = DistributionList.commandOf(recipient)
            .filter(found -> found.suffix().equals(DistributionList.BOUNCES));
        Optional<DistributionList> list = command.isEmpty() ? Optional.empty() : directory.find(command.get().list());
        if (list.isEmpty()) {
            LOGGER.info("Lists, mail {}: {} is the bounce address of no list; report kept", mail.getName(),
                recipient.asString());
            return false;
        }
        List<BounceParser.Bounce> bounces = BounceParser.parse(mail.getMessage(), Verp.member(recipient));
        BounceState state = records.state(list.get());
        boolean counted = false;
        for (BounceParser.Bounce bounce : bounces) {
            if (list.get().isMember(bounce.address())) {
                score(mail, list.get(), state.threshold(), state.of(bounce.address()), bounce.kind());
                counted = true;
            }
        }
        if (!counted) {
            LOGGER.info("Lists, mail {} to {}: no failure of a member of {} in it ({} address(es) read); report kept",
                mail.getName(), recipient.asString(), list.get().address().asString(), bounces.size());
        }
        return counted;
    }

    private void score(Mail mail, DistributionList list, double threshold, BounceRecord record, BounceKind kind)
        throws MessagingException, DirectoryUnavailableException {
        String member = record.member().asString();
        String name = list.address().asString();
        BounceRecord updated = record.counted(kind, LocalDate.now(clock.withZone(ZoneOffset.UTC)), staleAfter);
        if (updated.equals(record)) {
            LOGGER.info("Lists, mail {}: {} bounce of {} on {} not counted ({}); score {}", mail.getName(), kind,
                member, name, record.isDisabled() ? "delivery disabled" : "one already counted today", record.score());
            return;
        }
        if (updated.score() >= threshold) {
            updated = updated.disabledAt(clock.instant());
            records.save(list, updated);
            LOGGER.warn("Lists, mail {}: {} bounce of {} on {}: score {} reached {}; delivery disabled", mail.getName(),
                kind, member, name, updated.score(), threshold);
            BounceNotices.disabled(getMailetContext(), list, updated);
            return;
        }
        records.save(list, updated);
        LOGGER.info("Lists, mail {}: {} bounce of {} on {}: score {}", mail.getName(), kind, member, name,
            updated.score());
    }
}
