package org.switchboard.server.smtpc;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import com.sun.mail.smtp.SMTPMessage;

/**
 * A mail's message with its SMTP envelope (MAIL FROM, DSN NOTIFY/RET, MT-PRIORITY), as Jakarta Mail's
 * {@code SMTPTransport} reads it from an {@link SMTPMessage}: per message, so that every connection shares one mail
 * session (building a session reads the mail providers off the whole class path). The octets written are the mail's
 * own, as received: its headers are not parsed.
 */
final class EnvelopedMessage extends SMTPMessage {
    private final MimeMessage content;

    EnvelopedMessage(Session session, MimeMessage content, String from) {
        super(session);
        this.content = content;
        setEnvelopeFrom(from);
        // the peer's refusal of some recipients does not stop the others
        setSendPartial(true);
    }

    @Override
    public void writeTo(OutputStream out, String[] ignoreList) throws IOException, MessagingException {
        content.writeTo(out, ignoreList);
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, MessagingException {
        content.writeTo(out);
    }

    @Override
    public int getSize() throws MessagingException {
        return content.getSize();
    }
}
