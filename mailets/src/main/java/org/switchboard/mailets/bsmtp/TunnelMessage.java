package org.switchboard.mailets.bsmtp;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MailDateFormat;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;

/**
 * The message that carries a batch through the tunnel: {@code Content-Type: application/batch-SMTP} (RFC 2442),
 * {@code Content-Transfer-Encoding: base64}. Base64 rather than quoted-printable: the batch may hold 8-bit octets,
 * long lines, bare CRs and its own CRLFs, and base64 gives them back octet for octet after any 7-bit path, line
 * wrapping or line-end conversion on the way (quoted-printable would expose the batch's line ends to the
 * transports' conversions). The message is written straight into James' message source (memory, or a temporary file
 * for a large one), so the original is read once as a stream and never held whole in memory.
 */
public final class TunnelMessage {
    public static final String CONTENT_TYPE = "application/batch-SMTP";
    private static final byte[] CRLF = {'\r', '\n'};

    private TunnelMessage() {
    }

    static MimeMessageWrapper create(Envelope envelope, MimeMessage original, MailAddress from, MailAddress to,
                                     String mailName) throws MessagingException {
        MimeMessageInputStreamSource source = MimeMessageInputStreamSource.create("bsmtp-" + mailName + "-"
            + UUID.randomUUID());
        try {
            try (OutputStream raw = source.getWritableOutputStream()) {
                writeHeader(raw, envelope, from, to);
                OutputStream base64 = Base64.getMimeEncoder(76, CRLF).wrap(new KeepOpen(raw));
                try (OutputStream batch = new BufferedOutputStream(base64, 64 * 1024)) {
                    BatchWriter.write(envelope, original, batch);
                }
                raw.write(CRLF);
            }
            return new MimeMessageWrapper(source);
        } catch (IOException e) {
            LifecycleUtil.dispose(source);
            throw new MessagingException("BSMTP encoder: cannot write the tunnel message: " + e.getMessage(), e);
        } catch (MessagingException | RuntimeException e) {
            LifecycleUtil.dispose(source);
            throw e;
        }
    }

    private static void writeHeader(OutputStream out, Envelope envelope, MailAddress from, MailAddress to)
        throws IOException {
        int count = envelope.recipients().size();
        String header = "From: <" + from.asString() + ">\r\n"
            + "To: <" + to.asString() + ">\r\n"
            + "Subject: BSMTP batch: 1 message for " + count + (count == 1 ? " recipient" : " recipients") + "\r\n"
            + "Date: " + new MailDateFormat().format(new Date()) + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + ".bsmtp@" + from.getDomain().asString() + ">\r\n"
            + "Auto-Submitted: auto-generated\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: " + CONTENT_TYPE + "\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n";
        out.write(header.getBytes(StandardCharsets.UTF_8));
    }

    /** The base64 encoder closes its stream to write its last quantum; the message goes on after it. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
