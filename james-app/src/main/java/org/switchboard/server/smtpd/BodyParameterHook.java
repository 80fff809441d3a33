package org.switchboard.server.smtpd;

import java.util.Locale;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The BODY parameter of MAIL FROM (8BITMIME, RFC 6152; James advertises 8BITMIME but ignores the parameter):
 * {@code BODY=7BIT} and {@code BODY=8BITMIME} are accepted, any other value (BINARYMIME needs CHUNKING, which James
 * lacks) gets {@code 501 5.5.4}. The declared value is kept on the mail as {@value #ATTRIBUTE_NAME} ("7BIT" or
 * "8BITMIME"; absent when the client sent no BODY) for SMTPC, which must convert or bounce 8-bit mail for a peer
 * without 8BITMIME. The message octets themselves are stored as received, whatever the declaration.
 */
public class BodyParameterHook extends MailParameterHook<String> {
    public static final String ATTRIBUTE_NAME = "org.switchboard.smtp.body";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    private static final Set<String> VALUES = Set.of("7BIT", "8BITMIME");
    private static final HookResult UNSUPPORTED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
        .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG)
            + " BODY must be 7BIT or 8BITMIME")
        .build();

    public BodyParameterHook() {
        super("BODY_TYPE", String.class);
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters.of(getClass(), config, Set.of());
    }

    @Override
    public String[] getMailParamNames() {
        return new String[] {"BODY"};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String paramName, String paramValue) {
        String value = paramValue == null ? "" : paramValue.toUpperCase(Locale.ROOT);
        if (!VALUES.contains(value)) {
            return UNSUPPORTED;
        }
        remember(session, value);
        return HookResult.DECLINED;
    }

    @Override
    protected void record(Mail mail, String body) {
        mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(body)));
    }
}
