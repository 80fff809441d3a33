package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.mail.BodyPart;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;
import org.switchboard.mailets.preprocessor.tnef.TnefMessages;

/**
 * The TNEF expander of the shipped pipeline, on the packaged server: a message with a real winmail.dat sent over
 * SMTP reaches the recipient twice over IMAP, as sent and as "Attachments of: ..." with the files (names and bytes as
 * Debian's tnef extracts them); an invalid TNEF stream arrives untouched, alone.
 */
class TnefIT {
    private static final String DOMAIN = "example.com";
    private static final String PASSWORD = "tnef-Secret-7";
    private static final String SENDER = "outlook-user@origin.example";
    private static final String REMOTE_CLIENT = "127.0.0.2";
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    @TempDir
    static Path tempDir;
    static PackagedServer server;

    @BeforeAll
    static void boot() throws Exception {
        server = PackagedServer.unpack(tempDir);
        server.startWith(DOMAIN, PASSWORD, "quick@" + DOMAIN, "umlaut@" + DOMAIN, "invalid@" + DOMAIN);
    }

    @AfterAll
    static void shutdown() throws Exception {
        PackagedServer.closeKeepingLog(server, "TnefIT");
    }

    private static byte[] send(String recipient, String subject, String messageId, byte[] tnef) throws Exception {
        byte[] message = TnefMail.messageWithWinmailDat("Outlook User <" + SENDER + ">", recipient, subject, messageId,
            tnef);
        try (SmtpClient smtp = SmtpClient.connectFrom(REMOTE_CLIENT, server.smtpPort)) {
            smtp.ehlo("outlook.origin.example");
            Reply reply = smtp.send(SENDER, recipient, message);
            assertThat(reply.code()).as("%s", reply).isEqualTo(250);
            smtp.quit();
        }
        return message;
    }

    private static List<ImapMessage> awaitMessages(String user, int count) throws Exception {
        await().atMost(DELIVERY).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
            .until(() -> MailAccess.imapCount(server.imapPort, user, PASSWORD) >= count);
        return MailAccess.imapInbox(server.imapPort, user, PASSWORD);
    }

    private static ImapMessage withSubject(List<ImapMessage> inbox, String subject) throws Exception {
        for (ImapMessage message : inbox) {
            if (subject.equals(TnefMessages.parse(message.raw()).getSubject())) {
                return message;
            }
        }
        throw new AssertionError("no message with Subject " + subject + " in " + inbox.size() + " messages");
    }

    @Test
    void aRealWinmailDatGivesTheOriginalAndAMessageWithItsFiles() throws Exception {
        String user = "quick@" + DOMAIN;
        byte[] sent = send(user, "Quick test documents", "<quick.1@origin.example>",
            TnefMessages.resource("poi-quick-winmail.dat"));

        List<ImapMessage> inbox = awaitMessages(user, 2);

        assertThat(inbox).hasSize(2);
        ImapMessage original = withSubject(inbox, "Quick test documents");
        MailAccess.assertSameBytes(MailAccess.toCrlf(sent),
            MailAccess.withoutPrependedTrace(original.raw(), SENDER, user), "the original message");
        MimeMessage attachments = TnefMessages.parse(withSubject(inbox, "Attachments of: Quick test documents").raw());
        assertThat(attachments.getHeader("In-Reply-To", null)).isEqualTo("<quick.1@origin.example>");
        assertThat(attachments.getHeader("From", null)).isEqualTo("Outlook User <" + SENDER + ">");
        assertThat(attachments.getHeader("To", null)).isEqualTo(user);
        assertThat(TnefMessages.files(attachments))
            .containsExactlyEntriesOf(TnefMessages.expectedFiles("poi-quick-winmail.dat"));
        assertThat(TnefMessages.attachments(attachments)).extracting(part -> part.getContentType().split(";")[0])
            .containsExactly("application/msword", "text/html", "application/pdf", "text/plain", "text/xml");
    }

    @Test
    void aLatin1FileNameArrivesDecoded() throws Exception {
        String user = "umlaut@" + DOMAIN;
        send(user, "Umlaut", "<umlaut.1@origin.example>", TnefMessages.resource("ktnef-umlaut-filename.tnef"));

        List<ImapMessage> inbox = awaitMessages(user, 2);

        MimeMessage attachments = TnefMessages.parse(withSubject(inbox, "Attachments of: Umlaut").raw());
        Map<String, String> files = TnefMessages.files(attachments);
        assertThat(files).containsExactlyEntriesOf(TnefMessages.expectedFiles("ktnef-umlaut-filename.tnef"));
        assertThat(files).containsOnlyKeys("d\u00f6cument.pdf");
        BodyPart pdf = TnefMessages.attachments(attachments).get(0);
        assertThat(pdf.getHeader("Content-Disposition")[0]).contains("filename*=utf-8''d%C3%B6cument.pdf");
    }

    @Test
    void anInvalidTnefStreamArrivesUntouchedAndAlone() throws Exception {
        String user = "invalid@" + DOMAIN;
        byte[] sent = send(user, "Broken winmail", "<invalid.1@origin.example>",
            TnefMessages.resource("teamwork-badchecksum.tnef"));

        List<ImapMessage> inbox = awaitMessages(user, 1);

        MailAccess.assertSameBytes(MailAccess.toCrlf(sent),
            MailAccess.withoutPrependedTrace(inbox.get(0).raw(), SENDER, user), "the message with invalid TNEF");
        // the expander logs its decision before the message goes on to delivery: no second message follows
        assertThat(server.log()).contains("skipped, invalid TNEF: not a TNEF stream");
        assertThat(MailAccess.imapCount(server.imapPort, user, PASSWORD)).isEqualTo(1);
    }
}
