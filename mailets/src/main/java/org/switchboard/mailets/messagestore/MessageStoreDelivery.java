package org.switchboard.mailets.messagestore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
import org.switchboard.pipeline.SpoolName;

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
 * <p>Parameters: {@code folder} (default {@code INBOX}).
 */
public class MessageStoreDelivery extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(MessageStoreDelivery.class);
    static final String DEFAULT_FOLDER = "INBOX";

    private final MailboxManager mailboxManager;
    private final UsersRepository usersRepository;
    private String folder;

    @Inject
    public MessageStoreDelivery(MailboxManager mailboxManager, UsersRepository usersRepository) {
        this.mailboxManager = mailboxManager;
        this.usersRepository = usersRepository;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of("folder", "onMailetException"));
        folder = getInitParameter("folder", DEFAULT_FOLDER).trim();
        if (folder.isEmpty()) {
            throw new MessagingException(getMailetName() + ": parameter 'folder' must not be empty");
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
        // the message is the same for every recipient: its size is computed once
        long messageSize = MimeMessageUtil.getMessageSize(message);
        List<MailAddress> failed = new ArrayList<>();
        Exception lastFailure = null;
        for (MailAddress recipient : mail.getRecipients()) {
            try {
                deliver(mail, messageSize, recipient);
            } catch (MailboxException | UsersRepositoryException | MessagingException | RuntimeException e) {
                LOGGER.warn("Mail {}: could not store the copy of {}: {}; it goes to error handling",
                    mail.getName(), recipient.asString(), e.toString());
                failed.add(recipient);
                lastFailure = e;
            }
        }
        if (!failed.isEmpty()) {
            mail.setRecipients(failed);
            throw new MessagingException("Could not store the message for " + failed, lastFailure);
        }
        mail.setState(Mail.GHOST);
    }

    private void deliver(Mail mail, long messageSize, MailAddress recipient) throws MailboxException, UsersRepositoryException, MessagingException {
        Username user = usersRepository.getUsername(recipient);
        StorageDirective directive = StorageDirective.fromMail(user, mail).withDefaultFolder(folder);
        MailboxSession session = mailboxManager.createSystemSession(user);
        new DeliveryKey(SpoolName.of(mail), recipient.asString()).attachTo(session);
        mailboxManager.startProcessingRequest(session);
        try {
            MessageManager mailbox = mailboxOf(MailboxPath.forUser(user, folderName(directive, session)), session);
            MessageManager.AppendCommand.Builder append = MessageManager.AppendCommand.builder().recent().delivery();
            directive.getFlags().ifPresent(append::withFlags);
            mailbox.appendMessage(append.build(withTraceFields(mail, messageSize, recipient)), session);
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
    private static Content withTraceFields(Mail mail, long messageSize, MailAddress recipient) throws MessagingException {
        byte[] trace = ("Return-Path: <" + mail.getMaybeSender().asString("") + ">\r\n"
            + "Delivered-To: " + recipient.asString() + "\r\n").getBytes(StandardCharsets.UTF_8);
        MimeMessage message = mail.getMessage();
        long size = trace.length + messageSize;
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                try {
                    return new SequenceInputStream(new ByteArrayInputStream(trace), new MimeMessageInputStream(message));
                } catch (MessagingException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public long size() {
                return size;
            }
        };
    }
}
