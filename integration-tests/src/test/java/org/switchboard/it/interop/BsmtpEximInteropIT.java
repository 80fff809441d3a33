package org.switchboard.it.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.interop.DebianPrograms.Outcome;
import org.switchboard.it.interop.DebianPrograms.Program;
import org.switchboard.mailets.bsmtp.BatchReader;
import org.switchboard.mailets.bsmtp.BatchReader.Transaction;
import org.switchboard.mailets.bsmtp.BatchSmtpEncoder;
import org.switchboard.mailets.bsmtp.RecipientDomains;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

/**
 * The BSMTP tunnel against Exim (Debian's {@code exim4-daemon-light}), with a private configuration in a temporary
 * folder (its own spool and log, nothing of the system's): a batch written by {@link BatchSmtpEncoder} is read by
 * {@code exim -bS}, which delivers each recipient's copy to a file with {@code Return-path:} and {@code Envelope-to:}
 * (the envelope it understood); and a batch written by Exim's {@code appendfile} transport with {@code use_bsmtp} is
 * read by {@link BatchReader} with the envelope Exim was given.
 */
@Tag("interop")
class BsmtpEximInteropIT {
    private static final byte[] EIGHT_BIT = {(byte) 0xC3, (byte) 0xA9, (byte) 0xE8, (byte) 0xFF};

    @TempDir
    Path temp;
    private Path config;
    private Path delivered;
    private Path eximBatch;

    @BeforeAll
    static void requireExim() {
        DebianPrograms.requireAll(List.of(new Program("exim", "exim4-daemon-light")), Map.of());
    }

    @BeforeEach
    void writeConfiguration() throws IOException {
        // Exim runs its deliveries as an unprivileged user: Debian's exim user when the test runs as root
        String user = System.getProperty("user.name").equals("root") ? "Debian-exim" : System.getProperty("user.name");
        for (String directory : List.of("spool", "log", "out", "bsmtp")) {
            Path path = Files.createDirectories(temp.resolve(directory));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        delivered = temp.resolve("out/delivered");
        eximBatch = temp.resolve("bsmtp/batch");
        config = temp.resolve("exim.conf");
        Files.writeString(config, String.join("\n",
            "exim_user = " + user,
            "exim_group = " + (user.equals("Debian-exim") ? "Debian-exim" : user),
            "never_users =",
            "trusted_users = " + System.getProperty("user.name"),
            "spool_directory = " + temp.resolve("spool"),
            "log_file_path = " + temp.resolve("log") + "/%slog",
            "primary_hostname = exim.test",
            "qualify_domain = exim.test",
            "keep_environment =",
            "domainlist local_domains = smallcorp.test",
            "domainlist tunnel_domains = tunnelled.test",
            "begin routers",
            "tunnel:",
            "  driver = accept",
            "  domains = +tunnel_domains",
            "  transport = bsmtp_out",
            "local:",
            "  driver = accept",
            "  domains = +local_domains",
            "  transport = to_file",
            "begin transports",
            "to_file:",
            "  driver = appendfile",
            "  file = " + delivered,
            "  envelope_to_add",
            "  return_path_add",
            "  message_prefix = \"=== delivery\\n\"",
            "  message_suffix =",
            "  user = " + user,
            "bsmtp_out:",
            "  driver = appendfile",
            "  file = " + eximBatch,
            "  use_bsmtp",
            "  batch_max = 100",
            "  message_prefix =",
            "  message_suffix =",
            "  user = " + user,
            ""));
    }

    private Outcome exim(String arguments, Path input) {
        Outcome outcome = DebianPrograms.run(temp, Map.of(), Duration.ofMinutes(1), List.of("sh", "-c",
            DebianPrograms.locate("exim") + " -C " + config + " " + arguments + " < " + input));
        assertThat(outcome.exitCode()).as(outcome.describe()).isZero();
        return outcome;
    }

    private String eximLog() throws IOException {
        Path log = temp.resolve("log/mainlog");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
    }

    /** The copies Exim delivered: each one's Return-path, Envelope-to and the message after Exim's Received field. */
    private record Delivery(String returnPath, String envelopeTo, String text) {
    }

    private List<Delivery> deliveries() throws IOException {
        List<Delivery> deliveries = new ArrayList<>();
        if (!Files.exists(delivered)) {
            return deliveries;
        }
        String content = Files.readString(delivered, StandardCharsets.ISO_8859_1);
        for (String copy : content.split("=== delivery\n")) {
            if (copy.isEmpty()) {
                continue;
            }
            String returnPath = copy.lines().filter(line -> line.startsWith("Return-path: ")).findFirst().orElse("");
            String envelopeTo = copy.lines().filter(line -> line.startsWith("Envelope-to: ")).findFirst().orElse("");
            deliveries.add(new Delivery(returnPath.substring("Return-path: ".length()),
                envelopeTo.substring("Envelope-to: ".length()), copy));
        }
        return deliveries;
    }

    private static Mail mail(MaybeSender sender, byte[] message, String... recipientsAndTunnels) throws Exception {
        List<MailAddress> recipients = new ArrayList<>();
        Map<MailAddress, Route> routes = new LinkedHashMap<>();
        for (int i = 0; i < recipientsAndTunnels.length; i += 2) {
            MailAddress recipient = new MailAddress(recipientsAndTunnels[i]);
            recipients.add(recipient);
            routes.put(recipient, Route.parse("BSMTPOUT$" + recipientsAndTunnels[i + 1]));
        }
        FakeMail mail = FakeMail.builder().name("m").sender(sender).recipients(recipients)
            .mimeMessage(new MimeMessageWrapper(MimeMessageInputStreamSource.create("m", new ByteArrayInputStream(message))))
            .build();
        RouteAttribute.write(mail, routes);
        return mail;
    }

    /** What the encoder sends to the tunnel address, as the far end decodes it: the batch. */
    private static byte[] encode(Mail mail) throws Exception {
        FakeMailContext context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@example.com")).build();
        BatchSmtpEncoder encoder = new BatchSmtpEncoder();
        encoder.init(FakeMailetConfig.builder().mailetName("BatchSmtpEncoder").mailetContext(context).build());
        encoder.service(mail);
        try (InputStream batch = context.getSentMails().get(0).getMsg().getInputStream()) {
            return batch.readAllBytes();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @Test
    void eximReadsTheEncodersBatchWithTheSameEnvelope() throws Exception {
        byte[] message = concat(("From: alice@example.com\r\nTo: bob@smallcorp.test\r\nSubject: tunnelled\r\n\r\n"
            + ".leading dot\r\n..two dots\r\n.\r\n8bit: ").getBytes(StandardCharsets.US_ASCII), EIGHT_BIT,
            "\r\nlast line\r\n".getBytes(StandardCharsets.US_ASCII));
        // carol is a Bcc: she is in the envelope only. One tunnel message, one batch (it ends with QUIT)
        Path batch = temp.resolve("batch-1");
        Files.write(batch, encode(mail(MaybeSender.of(new MailAddress("alice@example.com")), message,
            "bob@smallcorp.test", "tunnel@example.com", "carol@smallcorp.test", "tunnel@example.com")));
        Path bounceBatch = temp.resolve("batch-2");
        Files.write(bounceBatch, encode(mail(MaybeSender.nullSender(),
            "Subject: a bounce\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII), "bob@smallcorp.test", "tunnel@example.com")));

        exim("-bS -odi", batch);
        exim("-bS -odi", bounceBatch);

        List<Delivery> deliveries = deliveries();
        assertThat(deliveries).as(eximLog()).extracting(delivery -> delivery.returnPath() + " -> " + delivery.envelopeTo())
            .containsExactlyInAnyOrder("<alice@example.com> -> bob@smallcorp.test",
                "<alice@example.com> -> carol@smallcorp.test", "<> -> bob@smallcorp.test");
        Delivery bob = deliveries.stream().filter(delivery -> delivery.returnPath().equals("<alice@example.com>"))
            .findFirst().orElseThrow();
        // Exim stores with LF line ends; the dots are unstuffed, the 8-bit octets as sent
        assertThat(bob.text()).contains("Subject: tunnelled\n", "\n\n.leading dot\n..two dots\n.\n8bit: "
            + new String(EIGHT_BIT, StandardCharsets.ISO_8859_1) + "\nlast line\n");
    }

    @Test
    void theDecoderReadsABatchWrittenByEximWithTheSameEnvelope() throws Exception {
        Path message = temp.resolve("message");
        Files.write(message, concat(("From: alice@example.com\nTo: x@tunnelled.test\nSubject: via exim\n\n"
            + ".leading dot\n8bit: ").getBytes(StandardCharsets.US_ASCII), EIGHT_BIT, "\nend\n".getBytes(StandardCharsets.US_ASCII)));
        Path bounce = temp.resolve("bounce");
        Files.writeString(bounce, "Subject: a bounce\n\nbody\n", StandardCharsets.US_ASCII);

        // bcc@ is given to Exim as a recipient only (a Bcc); the second message has the null sender
        exim("-odi -f alice@example.com x@tunnelled.test bcc@tunnelled.test", message);
        exim("-odi -f '<>' y@tunnelled.test", bounce);

        List<BatchReader.Outcome> outcomes;
        try (InputStream batch = Files.newInputStream(eximBatch)) {
            outcomes = BatchReader.read(batch, RecipientDomains.parse("tunnelled.test"), "exim");
        }
        assertThat(outcomes).as(Files.readString(eximBatch, StandardCharsets.ISO_8859_1)).hasSize(2)
            .allMatch(Transaction.class::isInstance);
        Transaction first = (Transaction) outcomes.get(0);
        assertThat(first.envelope().sender()).isEqualTo(MaybeSender.of(new MailAddress("alice@example.com")));
        assertThat(first.envelope().recipients())
            .containsExactly(new MailAddress("x@tunnelled.test"), new MailAddress("bcc@tunnelled.test"));
        String content;
        try (InputStream in = first.content().getInputStream()) {
            content = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertThat(content).contains("Subject: via exim\r\n", "\r\n\r\n.leading dot\r\n8bit: "
            + new String(EIGHT_BIT, StandardCharsets.ISO_8859_1) + "\r\nend\r\n");
        Transaction second = (Transaction) outcomes.get(1);
        assertThat(second.envelope().sender().isNullSender()).isTrue();
        assertThat(second.envelope().recipients()).containsExactly(new MailAddress("y@tunnelled.test"));
        BatchReader.dispose(outcomes);
    }
}
