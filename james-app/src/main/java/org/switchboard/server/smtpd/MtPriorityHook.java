package org.switchboard.server.smtpd;

import java.util.Optional;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MT-PRIORITY extension (RFC 6710) with the MIXER priority assignment policy (section 9.2: -4 non-urgent,
 * 0 normal, 4 urgent; the other values of -9..9 are accepted, as the RFC requires, and ordered between them).
 * Advertised in EHLO as {@code MT-PRIORITY MIXER}; {@code MAIL FROM:<a> MT-PRIORITY=n} takes n from -9 to 9 (a sign
 * and one digit) and anything else gets {@code 501 5.5.4}.
 *
 * <p>Only a client that authenticated or may relay (James' authorized addresses) is trusted with it: from others
 * the value is lowered to at most {@code untrustedMaximum} (default 0, normal; RFC 6710 section 5 lets a server
 * lower or ignore priorities it cannot trust). The accepted value is kept on the mail as
 * {@value #ATTRIBUTE_NAME} (Integer, -9..9) for SMTPC to relay, and mapped to James' spool priority
 * {@link MailPrioritySupport#MAIL_PRIORITY} (0..9, which the spool orders by) as {@code floor((n + 10) / 2)}:
 * -9 → 0, -4 → 3, 0 → 5 (James' normal), 4 → 7, 9 → 9. A mail without the parameter gets neither attribute.
 */
public class MtPriorityHook implements CommandHandler<SMTPSession>, HeloHook, MailParametersHook, JamesMessageHook {
    public static final String ATTRIBUTE_NAME = "org.switchboard.smtp.mt-priority";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    static final String PARAMETER = "MT-PRIORITY";
    static final String POLICY = "MIXER";
    private static final Logger LOGGER = LoggerFactory.getLogger(MtPriorityHook.class);
    private static final ProtocolSession.AttachmentKey<Integer> PRIORITY = ProtocolSession.AttachmentKey.of("MT_PRIORITY", Integer.class);
    private static final Pattern VALUE = Pattern.compile("[+-]?[0-9]");
    private static final HookResult INVALID = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
        .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG)
            + " MT-PRIORITY must be a number from -9 to 9")
        .build();

    private int untrustedMaximum = 0;

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters parameters = HandlerParameters.of(getClass(), config, Set.of("untrustedMaximum"));
        String value = config.getString("untrustedMaximum", "0").trim();
        if (!VALUE.matcher(value).matches()) {
            throw new ConfigurationException(parameters.owner() + ": parameter untrustedMaximum '" + value
                + "': expected a priority from -9 to 9 (default 0)");
        }
        untrustedMaximum = Integer.parseInt(value);
    }

    @Override
    public Set<String> implementedEsmtpFeatures(SMTPSession session) {
        return Set.of(PARAMETER + " " + POLICY);
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        return HookResult.DECLINED;
    }

    @Override
    public String[] getMailParamNames() {
        return new String[] {PARAMETER};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String paramName, String paramValue) {
        if (paramValue == null || !VALUE.matcher(paramValue).matches()) {
            LOGGER.info("MT-PRIORITY refused from {}: '{}' is not a priority", session.getRemoteAddress().getAddress().getHostAddress(),
                paramValue);
            return INVALID;
        }
        int requested = Integer.parseInt(paramValue);
        int priority = requested;
        boolean trusted = session.getUsername() != null || session.isRelayingAllowed();
        if (!trusted && requested > untrustedMaximum) {
            priority = untrustedMaximum;
            LOGGER.info("MT-PRIORITY {} from untrusted client {} lowered to {}", requested,
                session.getRemoteAddress().getAddress().getHostAddress(), priority);
        }
        session.setAttachment(PRIORITY, priority, ProtocolSession.State.Transaction);
        return HookResult.DECLINED;
    }

    /**
     * Runs before James' MAIL handler: a MAIL refused after this parameter was read (a later parameter or the address
     * was bad) leaves the value in the transaction, where the next MAIL without the parameter would find it.
     */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isEmpty()) {
            session.removeAttachment(PRIORITY, ProtocolSession.State.Transaction);
        }
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("MAIL");
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        Optional<Integer> priority = session.getAttachment(PRIORITY, ProtocolSession.State.Transaction);
        priority.ifPresent(value -> {
            mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(value)));
            mail.setAttribute(new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of(spoolPriority(value))));
        });
        return HookResult.DECLINED;
    }

    /** RFC 6710's -9..9 onto James' 0..9, keeping 0 at James' normal priority (5). */
    static int spoolPriority(int mtPriority) {
        return Math.floorDiv(mtPriority + 10, 2);
    }
}
