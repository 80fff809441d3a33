package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class DigestBuilderTest {
    static DistributionList list(String address, String description) throws Exception {
        return new DistributionList("mail=" + address + ",dc=example,dc=com", new MailAddress(address), description,
            PostingPolicy.OPEN, SubscriptionPolicy.CONFIRM, Map.of(), Set.of(), Set.of(), Optional.empty(), false,
            Optional.empty(), Optional.empty(), new DigestSettings(DigestSchedule.DEFAULT, Optional.empty()), List.of(),
            DmarcMitigation.DEFAULT);
    }

    private static byte[] post(String from, String subject, String body) {
        return ("From: " + from + "\r\nTo: staff@example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject
            + "@example.com>\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aTableOfContentsThenEachPostWholeInAMultipartDigest() throws Exception {
        MimeMessage digest = DigestBuilder.build(list("staff@example.com", "Staff talk"), List.of(
            post("\"Alice Liddell\" <alice@example.com>", "lunch", "Who comes?"),
            post("bob@example.com", "meeting", "At ten.")), ZonedDateTime.parse("2026-12-07T10:00:00Z"));

        // read back as a member's client would
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        digest.writeTo(bytes);
        MimeMessage received = new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(received.getSubject()).isEqualTo("Staff talk digest, Mon, 7 Dec 2026, 2 messages");
        assertThat(received.getFrom()[0].toString()).isEqualTo("staff-request@example.com");
        assertThat(received.getHeader("List-Id", null)).isEqualTo("\"Staff talk\" <staff.example.com>");
        assertThat(received.isMimeType("multipart/mixed")).isTrue();
        MimeMultipart whole = (MimeMultipart) received.getContent();
        assertThat(whole.getCount()).isEqualTo(2);
        assertThat(whole.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat((String) whole.getBodyPart(0).getContent()).contains("Today's Topics:\n\n"
            + "   1. lunch (Alice Liddell)\n   2. meeting (bob@example.com)\n");
        assertThat(whole.getBodyPart(1).isMimeType("multipart/digest")).isTrue();
        MimeMultipart posts = (MimeMultipart) whole.getBodyPart(1).getContent();
        assertThat(posts.getCount()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(posts.getBodyPart(i).isMimeType("message/rfc822")).isTrue();
        }
        MimeMessage second = (MimeMessage) posts.getBodyPart(1).getContent();
        assertThat(second.getSubject()).isEqualTo("meeting");
        assertThat(second.getMessageID()).isEqualTo("<meeting@example.com>");
        assertThat(((String) second.getContent()).trim()).isEqualTo("At ten.");
    }

    @Test
    void aListWithoutDescriptionIsNamedByItsAddress() throws Exception {
        MimeMessage digest = DigestBuilder.build(list("staff@example.com", ""), List.of(post("bob@example.com",
            "only", "One.")), ZonedDateTime.parse("2026-12-07T10:00:00Z"));

        assertThat(digest.getSubject()).isEqualTo("staff@example.com digest, Mon, 7 Dec 2026, 1 message");
    }
}
