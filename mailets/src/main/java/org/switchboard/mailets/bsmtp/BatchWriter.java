package org.switchboard.mailets.bsmtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;

/**
 * Writes a batch of SMTP commands (RFC 2442 {@code application/batch-SMTP}) for one message: {@code MAIL FROM},
 * one {@code RCPT TO} per recipient, {@code DATA}, the message dot-stuffed with CRLF line ends, ".", {@code QUIT}.
 * No {@code HELO}: RFC 2442 does not require one, and Exim's {@code -bS} and this project's {@link BatchReader} take
 * a batch without. The message is streamed from its source, never copied whole into memory.
 */
public final class BatchWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private BatchWriter() {
    }

    public static void write(Envelope envelope, MimeMessage message, OutputStream out)
        throws IOException, MessagingException {
        command(out, "MAIL FROM:" + envelope.reversePath());
        for (MailAddress recipient : envelope.recipients()) {
            command(out, "RCPT TO:<" + recipient.asString() + ">");
        }
        command(out, "DATA");
        DotStuffingOutputStream data = new DotStuffingOutputStream(out);
        message.writeTo(data);
        data.finish();
        command(out, "QUIT");
    }

    private static void command(OutputStream out, String line) throws IOException {
        // addresses may hold UTF-8 (SMTPUTF8); everything else is ASCII
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }
}
