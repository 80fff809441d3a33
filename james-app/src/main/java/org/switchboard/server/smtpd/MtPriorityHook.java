package org.switchboard.server.smtpd;

import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.queue.api.MailPrioritySupport;
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
public class MtPriorityHook extends MailParameterHook<Integer> implements HeloHook {
    public static final String ATTRIBUTE_NAME = "org.switchboard.smtp.mt-priority";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    static final String PARAMETER = "MT-PRIORITY";
    static final String POLICY = "MIXER";
    private static final Logger LOGGER = LoggerFactory.getLogger(MtPriorityHook.class);
    private static final Pattern VALUE = Pattern.compile("[+-]?[0-9]");
    private static final HookResult INVALID = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
        .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG)
            + " MT-PRIORITY must be a number from -9 to 9")
        .build();

    private int untrustedMaximum = 0;

    public MtPriorityHook() {
        super("MT_PRIORITY", Integer.class);
    }

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
        remember(session, priority);
        return HookResult.DECLINED;
    }

    @Override
    protected void record(Mail mail, Integer priority) {
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(priority)));
        mail.setAttribute(new Attribute(MailPrioritySupport.MAIL_PRIORITY, AttributeValue.of(spoolPriority(priority))));
    }

    /** RFC 6710's -9..9 onto James' 0..9, keeping 0 at James' normal priority (5). */
    static int spoolPriority(int mtPriority) {
        return Math.floorDiv(mtPriority + 10, 2);
    }
}
