package org.switchboard.server.smtpd;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import javax.mail.internet.AddressException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.dsn.DSNStatus;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.dsn.DSNRcptParameterHook;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.DsnParameters.Notify;
import org.apache.mailet.DsnParameters.RecipientDsnParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RCPT parameters of DSN (RFC 3461 section 4), in place of James' {@code DSNRcptParameterHook}, which throws on
 * a value it cannot parse (the client gets no proper reply), takes an xtext-encoded ORCPT as it is written and
 * refuses ORCPT address types other than rfc822, and fails the whole message when a recipient is given twice.
 * This one answers {@code 501 5.5.4} to a malformed NOTIFY (not NEVER alone or a list of SUCCESS, FAILURE, DELAY) or
 * ORCPT (not {@code addr-type;xtext}, or an rfc822 value that is no address once decoded), decodes xtext, accepts
 * any address type (an ORCPT of another type than rfc822 is accepted but not reported: James' DSN attributes hold
 * addresses only), and keeps one entry per recipient (the last). It fills the same session attachment as James'
 * hook, so James' {@code DSNMessageHook} turns it into the mail's DSN attributes. No parameters.
 */
public class DsnRcptParameterHook implements RcptHook {
    private static final Logger LOGGER = LoggerFactory.getLogger(DsnRcptParameterHook.class);
    private static final ProtocolSession.AttachmentKey<Recipients> RECIPIENTS =
        ProtocolSession.AttachmentKey.of("SWITCHBOARD_DSN_RCPT", Recipients.class);
    private static final Pattern ADDR_TYPE = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+");
    private static final String RFC822 = "rfc822";

    /** The parameters given so far in this transaction, by recipient. */
    static final class Recipients {
        private final Map<MailAddress, RecipientDsnParameters> byRecipient = new LinkedHashMap<>();
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters.of(getClass(), config, Set.of());
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of(DsnParameters.NOTIFY_PARAMETER, DsnParameters.ORCPT_PARAMETER);
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
        String notifyValue = parameters.get(DsnParameters.NOTIFY_PARAMETER);
        String orcptValue = parameters.get(DsnParameters.ORCPT_PARAMETER);
        if (notifyValue == null && orcptValue == null) {
            return HookResult.DECLINED;
        }
        Optional<EnumSet<Notify>> notify = Optional.empty();
        if (notifyValue != null) {
            try {
                notify = Optional.of(Notify.parse(notifyValue));
            } catch (RuntimeException e) {
                return refused("NOTIFY must be NEVER or a comma-separated list of SUCCESS, FAILURE and DELAY");
            }
        }
        Optional<MailAddress> orcpt = Optional.empty();
        if (orcptValue != null) {
            int semicolon = orcptValue.indexOf(';');
            String type = semicolon < 0 ? "" : orcptValue.substring(0, semicolon);
            String xtext = semicolon < 0 ? "" : orcptValue.substring(semicolon + 1);
            if (!ADDR_TYPE.matcher(type).matches() || xtext.isEmpty() || !DsnParameters.XText.isValid(xtext)) {
                return refused("ORCPT must be addr-type;xtext, e.g. rfc822;user@example.com");
            }
            if (type.toLowerCase(Locale.ROOT).equals(RFC822)) {
                try {
                    orcpt = Optional.of(new MailAddress(DsnParameters.XText.decode(xtext)));
                } catch (AddressException | RuntimeException e) {
                    return refused("ORCPT rfc822 value is not an address");
                }
            } else {
                LOGGER.debug("ORCPT of address type {} for {} accepted but not kept", type, rcpt.asString());
            }
        }
        Recipients recipients = session.getAttachment(RECIPIENTS, ProtocolSession.State.Transaction).orElseGet(Recipients::new);
        Optional<RecipientDsnParameters> given = RecipientDsnParameters.of(notify, orcpt);
        if (given.isPresent()) {
            recipients.byRecipient.put(rcpt, given.get());
        } else {
            recipients.byRecipient.remove(rcpt);
        }
        session.setAttachment(RECIPIENTS, recipients, ProtocolSession.State.Transaction);
        // James' builder cannot replace an entry: a fresh one each time, so a repeated recipient does not break DATA
        DSNRcptParameterHook.Builder builder = new DSNRcptParameterHook.Builder();
        recipients.byRecipient.forEach(builder::add);
        session.setAttachment(DSNRcptParameterHook.DSN_RCPT_PARAMETERS, builder, ProtocolSession.State.Transaction);
        return HookResult.DECLINED;
    }

    private static HookResult refused(String why) {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
            .smtpDescription(DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.DELIVERY_INVALID_ARG) + " " + why)
            .build();
    }
}
