package org.switchboard.server.persistence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.AddressException;
import javax.persistence.EntityManagerFactory;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.jpa.JPAMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * James' JPA mail repository made to accept any mail. James' entity ({@code JAMES_MAIL_STORE}) has fixed-size columns
 * (error message 200 characters, remote address 20, recipients 255 all together, ...): a mail with a longer value
 * failed to store, so an error repository refused exactly the mail it exists for, and the spool retried it for ever.
 * <p>
 * Before storing, each value that does not fit is shortened to its column and its full value kept in a mail attribute
 * ({@code org.switchboard.<field>-full}), which James stores in the unbounded attribute column. The caller's mail is
 * not changed: a copy is stored when anything must be shortened.
 * <p>
 * On retrieval, the values that drive processing (state, sender, recipients, remote address and host) are put back
 * from their attribute, which is removed, so that a reprocessed mail is the mail that was stored. The error message
 * stays shortened with its full text in {@link #ERROR_MESSAGE_FULL}; a name that did not fit is stored under a
 * shortened unique key (its full value in {@link #NAME_FULL}), the key the repository lists and retrieves it by.
 */
public class JpaColumnFittingMailRepository extends JPAMailRepository {
    private static final Logger LOGGER = LoggerFactory.getLogger(JpaColumnFittingMailRepository.class);

    // the column sizes of James 3.8.1's org.apache.james.mailrepository.jpa.model.JPAMail
    static final int REPOSITORY_NAME_LENGTH = 255;
    static final int MESSAGE_NAME_LENGTH = 200;
    static final int MESSAGE_STATE_LENGTH = 30;
    static final int ERROR_MESSAGE_LENGTH = 200;
    static final int SENDER_LENGTH = 255;
    static final int RECIPIENTS_LENGTH = 255;
    static final int REMOTE_HOST_LENGTH = 255;
    static final int REMOTE_ADDR_LENGTH = 20;

    public static final AttributeName ERROR_MESSAGE_FULL = AttributeName.of("org.switchboard.error-message-full");
    public static final AttributeName NAME_FULL = AttributeName.of("org.switchboard.name-full");
    public static final AttributeName STATE_FULL = AttributeName.of("org.switchboard.state-full");
    public static final AttributeName SENDER_FULL = AttributeName.of("org.switchboard.sender-full");
    public static final AttributeName RECIPIENTS_FULL = AttributeName.of("org.switchboard.recipients-full");
    public static final AttributeName REMOTE_HOST_FULL = AttributeName.of("org.switchboard.remote-host-full");
    public static final AttributeName REMOTE_ADDR_FULL = AttributeName.of("org.switchboard.remote-addr-full");

    /** ASCII, so that it fits any column character set. */
    static final String ELLIPSIS = "...";
    /** Stored for a missing remote address (the column is NOT NULL): not an address any network list trusts. */
    static final String UNKNOWN_REMOTE_ADDR = "0.0.0.0";
    static final String UNKNOWN_REMOTE_HOST = "unknown";
    private static final String RECIPIENT_SEPARATOR = "\r\n";
    private static final String NAME_HASH_SEPARATOR = "~";
    private static final int NAME_HASH_LENGTH = 64;

    @Inject
    public JpaColumnFittingMailRepository(EntityManagerFactory entityManagerFactory) {
        super(entityManagerFactory);
    }

    public JpaColumnFittingMailRepository(EntityManagerFactory entityManagerFactory, MailRepositoryUrl url) throws ConfigurationException {
        super(entityManagerFactory, url);
        checkRepositoryName();
    }

    @Override
    public void configure(HierarchicalConfiguration<ImmutableNode> configuration) throws ConfigurationException {
        super.configure(configuration);
        checkRepositoryName();
    }

    /** The repository path is the same for every mail: one too long for its column is refused when created. */
    private void checkRepositoryName() throws ConfigurationException {
        if (getRepositoryName().length() > REPOSITORY_NAME_LENGTH) {
            throw new ConfigurationException("Mail repository path longer than " + REPOSITORY_NAME_LENGTH
                + " characters: " + getRepositoryName());
        }
    }

    @Override
    public MailKey store(Mail mail) throws MessagingException {
        if (fits(mail)) {
            return super.store(mail);
        }
        MailImpl fitted = fitted(mail);
        try {
            LOGGER.info("Mail {} has values longer than the columns of repository {}: stored shortened, full values in "
                + "org.switchboard.*-full attributes", mail.getName(), getRepositoryName());
            return super.store(fitted);
        } finally {
            fitted.dispose();
        }
    }

    @Override
    public Mail retrieve(MailKey key) throws MessagingException {
        Mail mail = super.retrieve(key);
        if (mail instanceof MailImpl) {
            restore((MailImpl) mail);
        }
        return mail;
    }

    // --- store

    private static boolean fits(Mail mail) {
        return fittingName(mail.getName()).equals(mail.getName())
            && Objects.equals(shorten(mail.getState(), MESSAGE_STATE_LENGTH), mail.getState())
            && Objects.equals(shorten(mail.getErrorMessage(), ERROR_MESSAGE_LENGTH), mail.getErrorMessage())
            && senderFits(mail)
            && fittingRecipients(mail.getRecipients()).size() == mail.getRecipients().size()
            && mail.getRemoteHost() != null && mail.getRemoteHost().length() <= REMOTE_HOST_LENGTH
            && mail.getRemoteAddr() != null && mail.getRemoteAddr().length() <= REMOTE_ADDR_LENGTH
            && mail.getState() != null
            && mail.getLastUpdated() != null
            && keptAttributes(mail).size() == mail.attributes().count();
    }

    /** A copy of the mail whose values fit the columns, with the full values of the others in attributes. */
    private static MailImpl fitted(Mail mail) throws MessagingException {
        List<Attribute> attributes = new ArrayList<>(keptAttributes(mail));

        String name = fittingName(mail.getName());
        if (!name.equals(mail.getName())) {
            attributes.add(full(NAME_FULL, mail.getName()));
        }
        String state = Optional.ofNullable(mail.getState()).orElse(Mail.DEFAULT);
        String storedState = shorten(state, MESSAGE_STATE_LENGTH);
        if (!storedState.equals(state)) {
            attributes.add(full(STATE_FULL, state));
        }
        String errorMessage = shorten(mail.getErrorMessage(), ERROR_MESSAGE_LENGTH);
        if (!Objects.equals(errorMessage, mail.getErrorMessage())) {
            attributes.add(full(ERROR_MESSAGE_FULL, mail.getErrorMessage()));
        }
        Optional<MailAddress> sender = mail.getMaybeSender().asOptional();
        if (!senderFits(mail)) {
            attributes.add(full(SENDER_FULL, sender.get().toString()));
            sender = Optional.empty();
        }
        List<MailAddress> recipients = fittingRecipients(mail.getRecipients());
        if (recipients.size() != mail.getRecipients().size()) {
            attributes.add(new Attribute(RECIPIENTS_FULL, AttributeValue.of(mail.getRecipients().stream()
                .<AttributeValue<?>>map(recipient -> AttributeValue.of(recipient.toString()))
                .collect(ImmutableList.toImmutableList()))));
        }
        String remoteHost = Optional.ofNullable(mail.getRemoteHost()).orElse(UNKNOWN_REMOTE_HOST);
        String storedRemoteHost = shorten(remoteHost, REMOTE_HOST_LENGTH);
        if (!storedRemoteHost.equals(remoteHost)) {
            attributes.add(full(REMOTE_HOST_FULL, remoteHost));
        }
        String remoteAddr = Optional.ofNullable(mail.getRemoteAddr()).orElse(UNKNOWN_REMOTE_ADDR);
        String storedRemoteAddr = shorten(remoteAddr, REMOTE_ADDR_LENGTH);
        if (!storedRemoteAddr.equals(remoteAddr)) {
            attributes.add(full(REMOTE_ADDR_FULL, remoteAddr));
        }

        return MailImpl.builder()
            .name(name)
            .state(storedState)
            .errorMessage(errorMessage)
            .sender(sender)
            .addRecipients(recipients)
            .remoteHost(storedRemoteHost)
            .remoteAddr(storedRemoteAddr)
            .lastUpdated(mail.getLastUpdated())
            .addAttributes(attributes)
            .addAllHeadersForRecipients(mail.getPerRecipientSpecificHeaders())
            .mimeMessage(mail.getMessage())
            .build();
    }

    /**
     * The mail's attributes without {@code *-full} attributes that do not belong to its current values: those of the
     * error message and name are kept when they are the full values of the shortened ones the mail carries (a mail
     * retrieved from a repository and stored again); the others are removed when the mail is retrieved, so one
     * found on a mail is stale.
     */
    private static List<Attribute> keptAttributes(Mail mail) {
        return mail.attributes()
            .filter(attribute -> !attribute.getName().equals(STATE_FULL)
                && !attribute.getName().equals(SENDER_FULL)
                && !attribute.getName().equals(RECIPIENTS_FULL)
                && !attribute.getName().equals(REMOTE_HOST_FULL)
                && !attribute.getName().equals(REMOTE_ADDR_FULL))
            .filter(attribute -> !attribute.getName().equals(ERROR_MESSAGE_FULL)
                || isFullValueOf(attribute, mail.getErrorMessage(), full -> shorten(full, ERROR_MESSAGE_LENGTH)))
            .filter(attribute -> !attribute.getName().equals(NAME_FULL)
                || isFullValueOf(attribute, mail.getName(), JpaColumnFittingMailRepository::fittingName))
            .collect(ImmutableList.toImmutableList());
    }

    private static boolean isFullValueOf(Attribute attribute, String value, UnaryOperator<String> fitting) {
        Object full = attribute.getValue().value();
        return value != null && full instanceof String && !full.equals(value) && fitting.apply((String) full).equals(value);
    }

    private static Attribute full(AttributeName name, String value) {
        return new Attribute(name, AttributeValue.of(value));
    }

    /** The value itself when it fits, else its beginning and an ellipsis, {@code length} characters in all. */
    static String shorten(String value, int length) {
        if (value == null || value.length() <= length) {
            return value;
        }
        int end = length - ELLIPSIS.length();
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + ELLIPSIS;
    }

    /** The name when it fits, else its beginning and the SHA-256 of the whole: the same long name, the same key. */
    static String fittingName(String name) {
        if (name.length() <= MESSAGE_NAME_LENGTH) {
            return name;
        }
        int end = MESSAGE_NAME_LENGTH - NAME_HASH_SEPARATOR.length() - NAME_HASH_LENGTH;
        if (Character.isHighSurrogate(name.charAt(end - 1))) {
            end--;
        }
        return name.substring(0, end) + NAME_HASH_SEPARATOR + sha256(name);
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sender longer than its column is stored as none (a placeholder address could not be told from a real one). */
    private static boolean senderFits(Mail mail) {
        return mail.getMaybeSender().asOptional()
            .map(sender -> sender.toString().length() <= SENDER_LENGTH)
            .orElse(true);
    }

    /** The first recipients that fit the column once joined as James joins them (CRLF). */
    private static List<MailAddress> fittingRecipients(Collection<MailAddress> recipients) {
        List<MailAddress> fitting = new ArrayList<>();
        int length = 0;
        for (MailAddress recipient : recipients) {
            int added = (fitting.isEmpty() ? 0 : RECIPIENT_SEPARATOR.length()) + recipient.toString().length();
            if (length + added > RECIPIENTS_LENGTH) {
                break;
            }
            fitting.add(recipient);
            length += added;
        }
        return fitting;
    }

    // --- retrieve

    /** Puts back the full values of the fields that drive processing, when they are those of the stored ones. */
    private void restore(MailImpl mail) {
        fullValue(mail, STATE_FULL)
            .filter(full -> shorten(full, MESSAGE_STATE_LENGTH).equals(mail.getState()))
            .ifPresent(mail::setState);
        fullValue(mail, REMOTE_HOST_FULL)
            .filter(full -> shorten(full, REMOTE_HOST_LENGTH).equals(mail.getRemoteHost()))
            .ifPresent(mail::setRemoteHost);
        fullValue(mail, REMOTE_ADDR_FULL)
            .filter(full -> shorten(full, REMOTE_ADDR_LENGTH).equals(mail.getRemoteAddr()))
            .ifPresent(mail::setRemoteAddr);
        fullValue(mail, SENDER_FULL)
            .filter(full -> mail.getMaybeSender().isNullSender())
            .flatMap(full -> address(mail, full))
            .ifPresent(mail::setSender);
        mail.getAttribute(RECIPIENTS_FULL)
            .map(attribute -> attribute.getValue().value())
            .filter(Collection.class::isInstance)
            .map(values -> ((Collection<?>) values).stream()
                .map(value -> value instanceof AttributeValue ? ((AttributeValue<?>) value).value() : value)
                .map(String::valueOf)
                .flatMap(full -> address(mail, full).stream())
                .collect(ImmutableList.toImmutableList()))
            .filter(full -> full.size() >= mail.getRecipients().size()
                && full.subList(0, mail.getRecipients().size()).equals(ImmutableList.copyOf(mail.getRecipients())))
            .ifPresent(mail::setRecipients);
        for (AttributeName restored : List.of(STATE_FULL, REMOTE_HOST_FULL, REMOTE_ADDR_FULL, SENDER_FULL, RECIPIENTS_FULL)) {
            mail.removeAttribute(restored);
        }
    }

    private static Optional<String> fullValue(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(attribute -> attribute.getValue().value())
            .filter(String.class::isInstance)
            .map(String.class::cast);
    }

    private Optional<MailAddress> address(Mail mail, String address) {
        try {
            return Optional.of(new MailAddress(address));
        } catch (AddressException e) {
            LOGGER.warn("Mail {} in repository {}: cannot restore the address {}", mail.getName(), getRepositoryName(), address, e);
            return Optional.empty();
        }
    }
}
