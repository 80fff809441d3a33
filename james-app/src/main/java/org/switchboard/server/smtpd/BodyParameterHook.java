package org.switchboard.server.smtpd;

import java.util.Locale;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.apache.james.smtpserver.JamesMessageHook;
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
public class BodyParameterHook implements CommandHandler<SMTPSession>, MailParametersHook, JamesMessageHook {
    public static final String ATTRIBUTE_NAME = "org.switchboard.smtp.body";
    public static final AttributeName ATTRIBUTE = AttributeName.of(ATTRIBUTE_NAME);
    private static final Set<String> VALUES = Set.of("7BIT", "8BITMIME");
    private static final ProtocolSession.AttachmentKey<String> BODY = ProtocolSession.AttachmentKey.of("BODY_TYPE", String.class);
    private static final HookResult UNSUPPORTED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
        .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG)
            + " BODY must be 7BIT or 8BITMIME")
        .build();

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
        session.setAttachment(BODY, value, ProtocolSession.State.Transaction);
        return HookResult.DECLINED;
    }

    /**
     * Runs before James' MAIL handler: a MAIL refused after this parameter was read (a later parameter or the address
     * was bad) leaves the value in the transaction, where the next MAIL without the parameter would find it.
     */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isEmpty()) {
            session.removeAttachment(BODY, ProtocolSession.State.Transaction);
        }
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("MAIL");
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        session.getAttachment(BODY, ProtocolSession.State.Transaction)
            .ifPresent(value -> mail.setAttribute(new Attribute(ATTRIBUTE, AttributeValue.of(value))));
        return HookResult.DECLINED;
    }
}
