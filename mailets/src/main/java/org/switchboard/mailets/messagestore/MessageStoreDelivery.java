package org.switchboard.mailets.messagestore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.server.core.MimeMessageInputStream;
import org.apache.james.server.core.MimeMessageUtil;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.apache.mailet.StorageDirective;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.mailbox.store.AlreadyDeliveredException;
import org.switchboard.mailbox.store.DeliveryKey;
import org.switchboard.pipeline.InitParameters;
import org.switchboard.pipeline.SpoolName;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The LOCAL channel's last step: stores one copy of the message in each recipient's mailbox of the Message Store,
 * with the trace fields of final delivery on top ({@code Return-Path}, {@code Delivered-To}, RFC 5321 4.4) and the
 * rest of the octets exactly as they stand, whatever their MIME structure. Replaces James' {@code LocalDelivery}
 * (which inserts {@code Delivered-To} below an existing one, inside the original header block).
 *
 * <p>Folder and flags come from the recipient's {@link StorageDirective} (set by {@code Sieve}), else
 * {@code folder}. The copy carries a delivery key (the spool's name of the mail, {@link SpoolName}, and the
 * recipient) in its mailbox session: the RocksDB store appends it once, so a mail the spool hands out again after a
 * crash between the append and the spool's acknowledgement is not stored twice ({@link AlreadyDeliveredException}). Recipients whose copy
 * could not be stored stay on the mail, which then goes to James' error handling (the mailet's
 * {@code onMailetException}, default the {@code error} processor); the others are removed, so nothing is stored
 * twice when the error processor bounces or keeps it.
 *
 * <p>Parameters: {@code folder} (default {@code INBOX}); {@code consume} (default {@code true}): {@code false} lets the
 * stored mail go on to the next mailet, e.g. a "delivered" DSN for the recipients that asked for one.
 */
public class MessageStoreDelivery extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageStoreDelivery.class);
    static final String DEFAULT_FOLDER = "INBOX";
    static final int DEFAULT_PARALLEL_APPENDS = 16;

    private final MailboxManager mailboxManager;
    private final UsersRepository usersRepository;
    private String folder;
    private int parallelAppends;
    private boolean consume;
    /**
     * Threads of their own for the side-by-side appends: they block on the mailbox API, whose own steps run on
     * Reactor's shared pool; blocking that pool's threads instead could leave those steps no thread to run on.
     */
    private Scheduler appendThreads;

    @Inject
    public MessageStoreDelivery(MailboxManager mailboxManager, UsersRepository usersRepository) {
        this.mailboxManager = mailboxManager;
        this.usersRepository = usersRepository;
    }

    @Override
    public void init() throws MessagingException {
        InitParameters parameters = InitParameters.of(this);
        parameters.checkNames(this::checkInitParameters, Set.of("folder", "parallelAppends", "consume", "onMailetException"));
        consume = parameters.flag("consume", true);
        folder = parameters.value("folder", DEFAULT_FOLDER);
        parallelAppends = parameters.number("parallelAppends", DEFAULT_PARALLEL_APPENDS, 1, 256);
        appendThreads = Schedulers.newBoundedElastic(parallelAppends, Integer.MAX_VALUE, "store-delivery-" + getMailetName(),
            60, true);
    }

    @Override
    public void destroy() {
        if (appendThreads != null) {
            appendThreads.dispose();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Message Store delivery (LOCAL channel)";
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        // Return-Path is written by final delivery only (RFC 5321 4.4): one a sender wrote is dropped
        if (message.getHeader("Return-Path") != null) {
            message.removeHeader("Return-Path");
        }
        List<MailAddress> recipients = List.copyOf(mail.getRecipients());
        List<Failure> failures;
        if (recipients.size() == 1) {
            // the message is the same for every recipient: its size is computed once
            Content body = content(MimeMessageUtil.getMessageSize(message), () -> {
                try {
                    return new MimeMessageInputStream(message);
                } catch (MessagingException e) {
                    throw new IOException(e);
                }
            });
            failures = deliverOrFail(mail, body, recipients.get(0)).stream().toList();
        } else {
            // Several mailboxes: appends run side by side so that they share the store's fsyncs (a list of
            // thousands would otherwise wait for one fsync per member), reading one copy of the octets.
            byte[] octets = octetsOf(message);
            Content body = content(octets.length, () -> new ByteArrayInputStream(octets));
            failures = Flux.fromIterable(recipients)
                .flatMap(recipient -> Mono.fromCallable(() -> deliverOrFail(mail, body, recipient))
                    .subscribeOn(appendThreads), parallelAppends)
                .flatMap(Mono::justOrEmpty)
                .collectList()
                .block();
        }
        if (!failures.isEmpty()) {
            List<MailAddress> failed = failures.stream().map(Failure::recipient).toList();
            mail.setRecipients(failed);
            throw new MessagingException("Could not store the message for " + failed, failures.get(failures.size() - 1).cause());
        }
        if (consume) {
            mail.setState(Mail.GHOST);
        }
    }

    private Optional<Failure> deliverOrFail(Mail mail, Content body, MailAddress recipient) {
        try {
            deliver(mail, body, recipient);
            return Optional.empty();
        } catch (MailboxException | UsersRepositoryException | MessagingException | RuntimeException e) {
            LOGGER.warn("Mail {}: could not store the copy of {}: {}; it goes to error handling",
                mail.getName(), recipient.asString(), e.toString());
            return Optional.of(new Failure(recipient, e));
        }
    }

    private static byte[] octetsOf(MimeMessage message) throws MessagingException {
        try (InputStream in = new MimeMessageInputStream(message)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new MessagingException("Cannot read the message", e);
        }
    }

    @FunctionalInterface
    private interface OctetSource {
        InputStream open() throws IOException;
    }

    /** James' {@link Content}: a size and a fresh stream of the octets on each call. */
    private static Content content(long size, OctetSource octets) {
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                return octets.open();
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    private record Failure(MailAddress recipient, Exception cause) {
    }

    private void deliver(Mail mail, Content body, MailAddress recipient) throws MailboxException, UsersRepositoryException, MessagingException {
        Username user = usersRepository.getUsername(recipient);
        StorageDirective directive = StorageDirective.fromMail(user, mail).withDefaultFolder(folder);
        MailboxSession session = mailboxManager.createSystemSession(user);
        new DeliveryKey(SpoolName.of(mail), recipient.asString()).attachTo(session);
        mailboxManager.startProcessingRequest(session);
        try {
            MessageManager mailbox = mailboxOf(MailboxPath.forUser(user, folderName(directive, session)), session);
            MessageManager.AppendCommand.Builder append = MessageManager.AppendCommand.builder().recent().delivery();
            directive.getFlags().ifPresent(append::withFlags);
            mailbox.appendMessage(append.build(withTraceFields(mail, body, recipient)), session);
        } catch (MailboxException | RuntimeException e) {
            if (!alreadyDelivered(e)) {
                throw e;
            }
            LOGGER.info("Mail {}: the copy of {} was stored before (spool re-run after a restart), not stored again",
                mail.getName(), recipient.asString());
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    private static boolean alreadyDelivered(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AlreadyDeliveredException) {
                return true;
            }
        }
        return false;
    }

    private static String folderName(StorageDirective directive, MailboxSession session) throws MessagingException {
        String name = directive.getTargetFolder().orElse(DEFAULT_FOLDER).replace('/', session.getPathDelimiter());
        while (!name.isEmpty() && name.charAt(0) == session.getPathDelimiter()) {
            name = name.substring(1);
        }
        if (name.isEmpty()) {
            throw new MessagingException("empty target folder");
        }
        return name;
    }

    private MessageManager mailboxOf(MailboxPath path, MailboxSession session) throws MailboxException {
        try {
            return mailboxManager.getMailbox(path, session);
        } catch (MailboxNotFoundException missing) {
            try {
                mailboxManager.createMailbox(path, MailboxManager.CreateOption.CREATE_SUBSCRIPTION, session);
            } catch (MailboxExistsException createdMeanwhile) {
                LOGGER.debug("Mailbox {} created concurrently", path);
            }
            return mailboxManager.getMailbox(path, session);
        }
    }

    /** {@code Return-Path} and {@code Delivered-To} on top, then the message as it stands, streamed, not copied. */
    private static Content withTraceFields(Mail mail, Content body, MailAddress recipient) throws MailboxException {
        byte[] trace = ("Return-Path: <" + mail.getMaybeSender().asString("") + ">\r\n"
            + "Delivered-To: " + recipient.asString() + "\r\n").getBytes(StandardCharsets.UTF_8);
        return content(trace.length + body.size(),
            () -> new SequenceInputStream(new ByteArrayInputStream(trace), body.getInputStream()));
    }
}
