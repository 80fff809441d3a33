package org.switchboard.mailets.lists;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class OneClickLinksTest {
    private static final UnsubscribeTokens TOKENS = new UnsubscribeTokens(new byte[32]);

    private static MimeMessage listed(DistributionList list) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setText("hello");
        // a poster's own one-click fields must not survive
        message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        ListHeaders.apply(message, list);
        return message;
    }

    @Test
    void aMembersCopyGetsItsHttpsLinkBeforeTheMailtoAndTheOneClickField() throws Exception {
        DistributionList list = DigestBuilderTest.list("staff@example.com", "Staff");
        MailAddress member = new MailAddress("bob+x@example.org");
        MimeMessage copy = listed(list);

        OneClickLinks.to("lists.example.com:8443", TOKENS).apply(copy, list, member);

        String token = TOKENS.token(list.address(), member);
        assertThat(copy.getHeader("List-Unsubscribe")).containsExactly("<https://lists.example.com:8443"
            + "/lists/unsubscribe?list=staff%40example.com&member=bob%2Bx%40example.org&token=" + token
            + ">, <mailto:staff-unsubscribe@example.com>");
        assertThat(copy.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");
    }

    @Test
    void withoutTheEndpointTheMailtoStaysAlone() throws Exception {
        DistributionList list = DigestBuilderTest.list("staff@example.com", "Staff");
        MimeMessage copy = listed(list);

        OneClickLinks.disabled().apply(copy, list, new MailAddress("bob@example.org"));

        assertThat(copy.getHeader("List-Unsubscribe")).containsExactly("<mailto:staff-unsubscribe@example.com>");
        assertThat(copy.getHeader("List-Unsubscribe-Post")).as("only beside an HTTPS link (RFC 8058)").isNull();
        assertThat(OneClickLinks.disabled().url(list, new MailAddress("bob@example.org"))).isEmpty();
    }
}
