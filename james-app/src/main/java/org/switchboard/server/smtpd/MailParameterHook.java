package org.switchboard.server.smtpd;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;

/**
 * A MAIL FROM parameter read into the transaction and put on the mail when it is accepted. Also a MAIL command
 * handler, listed before James' own: a MAIL refused after the parameter was read (a later parameter or the address
 * was bad) leaves the value in the transaction, where the next MAIL without the parameter would find it; it is
 * forgotten before each MAIL that starts a transaction.
 */
abstract class MailParameterHook<T> implements CommandHandler<SMTPSession>, MailParametersHook, JamesMessageHook {
    private final ProtocolSession.AttachmentKey<T> key;

    protected MailParameterHook(String name, Class<T> type) {
        this.key = ProtocolSession.AttachmentKey.of(name, type);
    }

    /** Called with the value accepted in this transaction, once the message is. */
    protected abstract void record(Mail mail, T value);

    protected void remember(SMTPSession session, T value) {
        session.setAttachment(key, value, ProtocolSession.State.Transaction);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isEmpty()) {
            session.removeAttachment(key, ProtocolSession.State.Transaction);
        }
        return null;
    }

    @Override
    public Collection<String> getImplCommands() {
        return List.of("MAIL");
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        Optional<T> value = session.getAttachment(key, ProtocolSession.State.Transaction);
        value.ifPresent(accepted -> record(mail, accepted));
        return HookResult.DECLINED;
    }
}
