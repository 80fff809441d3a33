package org.switchboard.mailets.bsmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.switchboard.mailets.bsmtp.BatchReader.Outcome;
import org.switchboard.mailets.bsmtp.BatchReader.Transaction;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

class BatchSmtpEncoderTest {
    private static final RecipientDomains ALLOWED = RecipientDomains.parse("smallcorp.test, othernet.test");
    private FakeMailContext context;

    @BeforeEach
    void setUp() throws Exception {
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@example.com")).build();
    }

    private BatchSmtpEncoder encoder(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("BatchSmtpEncoder").mailetContext(context);
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        BatchSmtpEncoder encoder = new BatchSmtpEncoder();
        encoder.init(config.build());
        return encoder;
    }

    /** The message as the server holds a received one: its octets, written out unchanged. */
    private static MimeMessage message(byte[] octets) throws MessagingException {
        return new MimeMessageWrapper(MimeMessageInputStreamSource.create("test", new ByteArrayInputStream(octets)));
    }

    private static Mail mail(MaybeSender sender, MimeMessage message, Map<String, String> routes) throws Exception {
        List<MailAddress> recipients = new ArrayList<>();
        Map<MailAddress, Route> recorded = new LinkedHashMap<>();
        for (Map.Entry<String, String> route : routes.entrySet()) {
            MailAddress recipient = new MailAddress(route.getKey());
            recipients.add(recipient);
            if (route.getValue() != null) {
                recorded.put(recipient, Route.parse(route.getValue()));
            }
        }
        FakeMail mail = FakeMail.builder().name("original").sender(sender).recipients(recipients).mimeMessage(message).build();
        RouteAttribute.write(mail, recorded);
        return mail;
    }

    /** The batch carried by a tunnel message: its base64 body decoded, as a receiver gets it. */
    private static byte[] batchOf(MimeMessage tunnel) throws Exception {
        assertThat(tunnel.getContentType()).isEqualTo("application/batch-SMTP");
        assertThat(tunnel.getEncoding()).isEqualTo("base64");
        try (InputStream in = tunnel.getInputStream()) {
            return in.readAllBytes();
        }
    }

    @Test
    void tunnelsTheEnvelopeIncludingBccToTheChannelIdentifierAddress() throws Exception {
        byte[] original = ("From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: hello\r\n\r\n"
            + ".leading dot\r\nline\r\n").getBytes(StandardCharsets.US_ASCII);
        // carol is a Bcc (in no header); dave got here by a list expansion
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("bob@smallcorp.test", "BSMTPOUT$smallcorp-tunnel@example.com");
        routes.put("carol@smallcorp.test", "BSMTPOUT$smallcorp-tunnel@example.com");
        routes.put("dave@othernet.test", "BSMTPOUT$othernet-tunnel@example.com");
        Mail mail = mail(MaybeSender.of(new MailAddress("alice@example.com")), message(original), routes);

        encoder("sender", "bsmtp-encoder@example.com").service(mail);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(2);
        FakeMailContext.SentMail smallcorp = context.getSentMails().get(0);
        assertThat(smallcorp.getSender()).isEqualTo(new MailAddress("bsmtp-encoder@example.com"));
        assertThat(smallcorp.getRecipients()).containsExactly(new MailAddress("smallcorp-tunnel@example.com"));
        assertThat(smallcorp.getMsg().getHeader("To", null)).isEqualTo("<smallcorp-tunnel@example.com>");
        assertThat(smallcorp.getMsg().getHeader("From", null)).isEqualTo("<bsmtp-encoder@example.com>");
        String batch = new String(batchOf(smallcorp.getMsg()), StandardCharsets.US_ASCII);
        assertThat(batch).isEqualTo("MAIL FROM:<alice@example.com>\r\n"
            + "RCPT TO:<bob@smallcorp.test>\r\nRCPT TO:<carol@smallcorp.test>\r\nDATA\r\n"
            + "From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: hello\r\n\r\n..leading dot\r\nline\r\n"
            + ".\r\nQUIT\r\n");

        FakeMailContext.SentMail othernet = context.getSentMails().get(1);
        assertThat(othernet.getRecipients()).containsExactly(new MailAddress("othernet-tunnel@example.com"));
        List<Outcome> decoded = BatchReader.read(new ByteArrayInputStream(batchOf(othernet.getMsg())), ALLOWED, "t");
        Transaction transaction = (Transaction) decoded.get(0);
        assertThat(transaction.envelope().recipients()).containsExactly(new MailAddress("dave@othernet.test"));
        assertThat(BatchReaderTest.content(transaction)).isEqualTo(original);
    }

    @Test
    void theNullSenderAndEightBitBodiesSurviveTheRoundTrip() throws Exception {
        byte[] original = new byte[300];
        byte[] head = "Subject: 8bit\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, original, 0, head.length);
        for (int i = head.length; i < original.length; i++) {
            original[i] = (byte) (i % 7 == 0 ? '\n' : 0x80 + i % 120);
        }
        original[original.length - 1] = '\n';
        Mail mail = mail(MaybeSender.nullSender(), message(original),
            Map.of("bob@smallcorp.test", "BSMTPOUT$tunnel@example.com"));

        encoder().service(mail);

        FakeMailContext.SentMail tunnel = context.getSentMails().get(0);
        assertThat(tunnel.getSender()).isEqualTo(context.getPostmaster());
        byte[] batch = batchOf(tunnel.getMsg());
        assertThat(new String(batch, StandardCharsets.ISO_8859_1)).startsWith("MAIL FROM:<>\r\n");
        Transaction transaction = (Transaction) BatchReader.read(new ByteArrayInputStream(batch), ALLOWED, "t").get(0);
        assertThat(transaction.envelope().sender().isNullSender()).isTrue();
        // bare LFs of the original become CRLF, every other octet is kept (a last line without its end gets one:
        // see DotStuffingOutputStreamTest)
        String expected = new String(original, StandardCharsets.ISO_8859_1).replaceAll("(?<!\r)\n", "\r\n");
        assertThat(new String(BatchReaderTest.content(transaction), StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        // the tunnel message itself is 7-bit with short lines
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        tunnel.getMsg().writeTo(raw);
        String written = raw.toString(StandardCharsets.ISO_8859_1);
        assertThat(written.chars()).allMatch(c -> c < 128);
        assertThat(written.split("\r\n")).allMatch(line -> line.length() <= 76);
    }


    @Test
    void recipientsWithoutATunnelRouteGoToTheErrorProcessor() throws Exception {
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("bob@smallcorp.test", "BSMTPOUT$tunnel@example.com");
        routes.put("eve@internet.test", "SMTPC$eve@internet.test");
        routes.put("frank@nowhere.test", null);
        Mail mail = mail(MaybeSender.of(new MailAddress("a@example.com")), message("S: x\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII)), routes);

        encoder().service(mail);

        assertThat(context.getSentMails()).hasSize(1);
        assertThat(mail.getState()).isEqualTo(Mail.ERROR);
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("eve@internet.test"), new MailAddress("frank@nowhere.test"));
        assertThat(mail.getErrorMessage()).isEqualTo("BSMTP encoder: no BSMTPOUT route for eve@internet.test, frank@nowhere.test");
    }

    @Test
    void aBadSenderParameterFailsStartUp() {
        assertThatThrownBy(() -> encoder("sender", "not an address"))
            .hasMessage("BatchSmtpEncoder: init parameter sender 'not an address': not a mail address");
        assertThatThrownBy(() -> encoder("secret", "x"))
            .hasMessageStartingWith("BatchSmtpEncoder: Unexpected init parameters found: [secret]");
    }

    /**
     * A message of 48 MiB generated as it is read (never in memory) goes through the encoder and the reader: the
     * tunnel message and the decoded copy are kept in temporary files by James' message source, and the octets match.
     */
    @Test
    void aHugeMessageIsStreamedThroughEncoderAndReader() throws Exception {
        long bodyLines = 48L * 1024 * 1024 / 64;
        MessageDigest originalDigest = MessageDigest.getInstance("SHA-256");
        MimeMessageWrapper huge = new MimeMessageWrapper(new GeneratedMessage(bodyLines));
        try (InputStream in = new GeneratedMessage(bodyLines).getInputStream()) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), originalDigest));
        }
        Mail mail = mail(MaybeSender.of(new MailAddress("a@example.com")), huge,
            Map.of("bob@smallcorp.test", "BSMTPOUT$tunnel@example.com"));

        encoder().service(mail);

        MimeMessage tunnel = context.getSentMails().get(0).getMsg();
        assertThat(tunnel.getSize()).isGreaterThan(64 * 1024 * 1024);
        List<Outcome> decoded;
        try (InputStream batch = tunnel.getInputStream()) {
            decoded = BatchReader.read(batch, ALLOWED, "huge");
        }
        MessageDigest decodedDigest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = ((Transaction) decoded.get(0)).content().getInputStream()) {
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), decodedDigest));
        }
        assertThat(decodedDigest.digest()).isEqualTo(originalDigest.digest());
        assertThat(((Transaction) decoded.get(0)).content().getMessageSize()).isEqualTo(GeneratedMessage.size(bodyLines));
        BatchReader.dispose(decoded);
    }

    /** A message source whose octets are computed as they are read: lines of 62 characters, every 10th with a dot. */
    private static final class GeneratedMessage implements MimeMessageSource {
        private static final byte[] HEADER = "From: a@example.com\r\nSubject: huge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private final long lines;

        GeneratedMessage(long lines) {
            this.lines = lines;
        }

        static long size(long lines) {
            return HEADER.length + lines * 64;
        }

        @Override
        public String getSourceId() {
            return "generated";
        }

        @Override
        public long getMessageSize() {
            return size(lines);
        }

        @Override
        public InputStream getInputStream() {
            return new InputStream() {
                private long position;

                @Override
                public int read() {
                    if (position >= size(lines)) {
                        return -1;
                    }
                    long at = position++;
                    if (at < HEADER.length) {
                        return HEADER[(int) at];
                    }
                    long line = (at - HEADER.length) / 64;
                    int column = (int) ((at - HEADER.length) % 64);
                    if (column == 62) {
                        return '\r';
                    }
                    if (column == 63) {
                        return '\n';
                    }
                    if (column == 0 && line % 10 == 0) {
                        return '.';
                    }
                    return 'a' + (int) ((line + column) % 26);
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    if (position >= size(lines)) {
                        return -1;
                    }
                    int count = (int) Math.min(length, size(lines) - position);
                    for (int i = 0; i < count; i++) {
                        buffer[offset + i] = (byte) read();
                    }
                    return count;
                }
            };
        }
    }
}
