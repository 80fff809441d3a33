package org.switchboard.server.smtpd;

import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.dsn.DSNStatus;

/**
 * Gives the refusal of a message over {@code maxmessagesize} its enhanced status code. James' size check
 * ({@code MailSizeEsmtpExtension}, RFC 1870) answers the final dot of an oversize message with a bare
 * {@code 552 Quota exceeded}, although the server advertises ENHANCEDSTATUSCODES (RFC 2034: then every reply has
 * one); this filter, listed before James' core handlers so that it sees the reply last, turns it into
 * {@code 552 5.3.4 Message size exceeds fixed maximum message size}, the reply of the same check at MAIL FROM.
 * The message is refused and not spooled either way.
 */
public class MessageSizeReplyFilter implements DataLineFilter {
    private static final String JAMES_REPLY = "Quota exceeded";

    @Override
    public void init(Configuration config) throws ConfigurationException {
        HandlerParameters.of(getClass(), config, Set.of());
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        Response response = next.onLine(session, line);
        if (response != null && SMTPRetCode.QUOTA_EXCEEDED.equals(response.getRetCode())
                && response.getLines().size() == 1 && response.getLines().get(0).toString().endsWith(" " + JAMES_REPLY)) {
            return new SMTPResponse(SMTPRetCode.QUOTA_EXCEEDED, DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.SYSTEM_MSG_TOO_BIG)
                + " Message size exceeds fixed maximum message size");
        }
        return response;
    }
}
