package org.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.switchboard.it.MailAccess.ImapMessage;
import org.switchboard.it.SmtpClient.Reply;

import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * What list tests do as list users and administrators: post over SMTP, wait for a message by Subject over IMAP, read
 * its token, bind to the directory as its administrator.
 */
public final class ListClients {
    private static final Pattern TOKEN = Pattern.compile("\\b([0-9a-f]{40})\\b");

    private ListClients() {
    }

    /** Sends a small message (Message-ID and X-Test-Id from {@code testId}) over SMTP; the server must take it. */
    public static void send(int smtpPort, String from, String to, String subject, String testId, String extraFields)
        throws Exception {
        byte[] message = ("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + testId
            + "@example.com>\r\nX-Test-Id: " + testId + "\r\n" + extraFields + "\r\nHello list.\r\n")
            .getBytes(StandardCharsets.UTF_8);
        try (SmtpClient smtp = SmtpClient.connect(smtpPort)) {
            smtp.greeting();
            smtp.ehlo("client.example.com");
            Reply reply = smtp.send(from, List.of(to), message);
            assertThat(reply.code()).as("%s", reply).isEqualTo(250);
            smtp.quit();
        }
    }

    /** The last message of the user's inbox whose (unfolded) header holds the text, once there is one. */
    public static ImapMessage awaitSubject(int imapPort, String user, String password, String subjectPart,
                                           Duration timeout) {
        List<ImapMessage> found = new ArrayList<>();
        await().atMost(timeout).ignoreExceptions().until(() -> {
            found.clear();
            MailAccess.imapInbox(imapPort, user, password).stream()
                .filter(message -> unfolded(message).contains(subjectPart)).forEach(found::add);
            return !found.isEmpty();
        });
        return found.get(found.size() - 1);
    }

    /** The message's text with its folded header lines joined (a long Subject is folded). */
    public static String unfolded(ImapMessage message) {
        return message.text().replaceAll("\\r\\n[ \\t]+", " ");
    }

    /** A connection to the server's directory as its administrator. */
    public static LDAPConnection admin(PackagedServer server) throws Exception {
        String password = Files.readString(server.home.resolve("var/directory-admin.password"), StandardCharsets.UTF_8)
            .strip();
        return new LDAPConnection("127.0.0.1", server.ldapPort, "uid=admin,ou=system", password);
    }

    /** The list request token the message carries. */
    public static String token(ImapMessage message) {
        Matcher matcher = TOKEN.matcher(message.text());
        assertThat(matcher.find()).as(message.text()).isTrue();
        return matcher.group(1);
    }
}
