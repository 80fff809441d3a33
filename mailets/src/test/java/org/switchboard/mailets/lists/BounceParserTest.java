package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class BounceParserTest {
    private static final String DSN = """
        From: MAILER-DAEMON@mx.example.org
        To: staff-bounces@example.com
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B"

        --B
        Content-Type: text/plain

        I could not deliver your message to poster@example.com's list.

        --B
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.org
        Arrival-Date: Mon, 7 Dec 2026 17:00:00 +0000

        Final-Recipient: rfc822; Bob@Example.org
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: smtp; 550 5.1.1 no such user

        Final-Recipient: rfc822; carol@example.org
        Action: failed
        Status: 4.2.2
        Diagnostic-Code: smtp; 452 4.2.2 mailbox full

        Original-Recipient: rfc822;dave@example.org
        Final-Recipient: rfc822; dave@relay.example.org
        Action: delayed
        Status: 4.4.1

        --B
        Content-Type: text/rfc822-headers

        From: poster@example.com
        To: staff@example.com

        --B--
        """;

    private static MimeMessage message(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static MailAddress address(String text) throws Exception {
        return new MailAddress(text);
    }

    @Test
    void deliveryStatusReportNamesEachFailedRecipientWithItsKind() throws Exception {
        assertThat(BounceParser.parse(message(DSN), Optional.empty())).containsExactly(
            new BounceParser.Bounce(address("bob@example.org"), BounceKind.HARD),
            new BounceParser.Bounce(address("carol@example.org"), BounceKind.SOFT));
    }

    @Test
    void verpMemberTakesTheWorstFailureOfTheReport() throws Exception {
        assertThat(BounceParser.parse(message(DSN), Optional.of(address("bob@example.org")))).containsExactly(
            new BounceParser.Bounce(address("bob@example.org"), BounceKind.HARD));
    }

    @Test
    void reportOfADelayOnlyIsNoBounce() throws Exception {
        String delayed = DSN.replace("Action: failed", "Action: delayed");
        assertThat(BounceParser.parse(message(delayed), Optional.empty())).isEmpty();
        assertThat(BounceParser.parse(message(delayed), Optional.of(address("bob@example.org")))).isEmpty();
    }

    @Test
    void plainBounceNamesTheAddressesOfItsExplanationNotOfTheQuotedOriginal() throws Exception {
        String plain = """
            From: MAILER-DAEMON@old.example.org
            To: staff-bounces@example.com
            Subject: failure notice

            Sorry, I could not deliver to <frank@example.org>: 550 mailbox unavailable.

            --- Original message follows.
            From: poster@example.com
            To: staff@example.com
            """;
        assertThat(BounceParser.parse(message(plain), Optional.empty())).containsExactly(
            new BounceParser.Bounce(address("frank@example.org"), BounceKind.HARD));
    }

    @Test
    void outOfOfficeReplyIsNoBounce() throws Exception {
        String vacation = """
            From: frank@example.org
            To: staff-bounces+frank=example.org@example.com
            Subject: Out of office
            Auto-Submitted: auto-replied

            I am away until Monday; write to grace@example.org meanwhile.
            """;
        assertThat(BounceParser.parse(message(vacation), Optional.of(address("frank@example.org")))).isEmpty();
        assertThat(BounceParser.parse(message(vacation), Optional.empty())).isEmpty();
    }

    @Test
    void plainBounceWithOnlyTemporaryCodesIsSoft() throws Exception {
        String plain = """
            From: MAILER-DAEMON@old.example.org
            Subject: still trying

            frank@example.org: 452 4.2.2 over quota, giving up after 5 days
            """;
        assertThat(BounceParser.parse(message(plain), Optional.of(address("frank@example.org")))).containsExactly(
            new BounceParser.Bounce(address("frank@example.org"), BounceKind.SOFT));
    }
}
