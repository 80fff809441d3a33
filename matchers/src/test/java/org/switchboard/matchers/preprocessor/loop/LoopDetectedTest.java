package org.switchboard.matchers.preprocessor.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoopDetectedTest {
    private static final String US = "mx.example.com";

    private static LoopDetected loopDetected(String condition, Collection<String> serverNames) throws MessagingException {
        LoopDetected matcher = new LoopDetected(() -> serverNames);
        matcher.init(FakeMatcherConfig.builder().matcherName("LoopDetected").condition(condition).build());
        return matcher;
    }

    private static String received(String by) {
        return "Received: from client.example.org (client.example.org [192.0.2.7])\r\n"
            + "          by " + by + " (JAMES SMTP Server) with ESMTP ID 4b7e1c2a\r\n"
            + "          for <user@example.com>;\r\n"
            + "          Tue, 4 Mar 2025 10:00:00 +0100 (CET)\r\n";
    }

    private static Mail mail(String header) throws MessagingException {
        byte[] raw = (header + "From: a@example.org\r\nSubject: hello\r\n\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1);
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        return FakeMail.builder().name("mail1").sender("a@example.org").recipients("user@example.com", "other@example.net")
            .mimeMessage(message).build();
    }

    private static String times(int count, String field) {
        return field.repeat(count);
    }

    @Nested
    class Counting {
        @Test
        void matchesAllRecipientsWhenMoreThanTheMaximumFieldsNameUs() throws MessagingException {
            LoopDetected matcher = loopDetected("3", List.of(US));

            assertThat(matcher.match(mail(times(3, received(US)) + received("relay.example.net")))).isEmpty();
            assertThat(matcher.match(mail(times(4, received(US)))))
                .containsExactly(new MailAddress("user@example.com"), new MailAddress("other@example.net"));
        }

        @Test
        void fieldsOfOtherServersDoNotCount() throws MessagingException {
            LoopDetected matcher = loopDetected("2", List.of(US));

            assertThat(matcher.match(mail(received(US) + times(30, received("relay.example.net"))))).isEmpty();
        }

        @Test
        void onlyTheByClauseCountsNotAFromClauseOrAComment() throws MessagingException {
            LoopDetected matcher = loopDetected("1", List.of(US));
            String fromUs = "Received: from " + US + " (" + US + " [192.0.2.1]) by relay.example.net (Postfix) "
                + "with ESMTP id 1; Tue, 4 Mar 2025 10:00:00 +0100\r\n";
            String commentByUs = "Received: from a.example.org (by " + US + ") by relay.example.net; "
                + "Tue, 4 Mar 2025 10:00:00 +0100\r\n";

            assertThat(matcher.count(mail(times(5, fromUs) + times(5, commentByUs) + received(US)))).isEqualTo(1);
        }

        @Test
        void hostNamesCompareWithoutCaseAndTrailingDot() throws MessagingException {
            LoopDetected matcher = loopDetected("1", List.of("MX.Example.COM"));

            assertThat(matcher.count(mail(received("mx.example.com.") + received("MX.EXAMPLE.COM")))).isEqualTo(2);
        }

        @Test
        void namesOfTheConditionCountToo() throws MessagingException {
            LoopDetected matcher = loopDetected("2, mx2.example.com ,[192.0.2.1]", List.of(US));

            assertThat(matcher.count(mail(received(US) + received("mx2.example.com") + received("[192.0.2.1]"))))
                .isEqualTo(3);
            assertThat(matcher.ownNames()).contains(US, "mx2.example.com", "[192.0.2.1]");
        }

        @Test
        void theLocalHostNameIsAlwaysOneOfOurNames() throws Exception {
            String local = InetAddress.getLocalHost().getHostName().toLowerCase();
            LoopDetected matcher = loopDetected("1", List.of());

            assertThat(matcher.ownNames()).contains(local);
            assertThat(matcher.count(mail(times(2, received(local))))).isEqualTo(2);
        }

        @Test
        void theServersNamesAreAskedAgainUntilTheyAreKnown() throws MessagingException {
            AtomicReference<Collection<String>> names = new AtomicReference<>(List.of());
            LoopDetected matcher = new LoopDetected(names::get);
            matcher.init(FakeMatcherConfig.builder().matcherName("LoopDetected").condition("1").build());

            assertThat(matcher.match(mail(times(2, received(US))))).isEmpty();
            names.set(List.of(US));
            assertThat(matcher.match(mail(times(2, received(US))))).hasSize(2);
            names.set(List.of());
            assertThat(matcher.ownNames()).as("kept once known").contains(US);
        }

        @Test
        void defaultMaximumIsTen() throws MessagingException {
            LoopDetected matcher = loopDetected(null, List.of(US));

            assertThat(matcher.max()).isEqualTo(LoopDetected.DEFAULT_MAX).isEqualTo(10);
            assertThat(matcher.match(mail(times(10, received(US))))).isEmpty();
            assertThat(matcher.match(mail(times(11, received(US))))).hasSize(2);
        }

        @Test
        void aMessageWithoutReceivedFieldsIsNoLoop() throws MessagingException {
            assertThat(loopDetected("1", List.of(US)).match(mail(""))).isEmpty();
        }
    }

    @Nested
    class HostileInput {
        @Test
        void malformedReceivedFieldsAreSkipped() throws MessagingException {
            LoopDetected matcher = loopDetected("1", List.of(US));
            String junk = "Received: by\r\n"
                + "Received: (unterminated comment by " + US + "\r\n"
                + "Received: \r\n"
                + "Received: (qmail 1234 invoked by uid 0); 4 Mar 2025\r\n"
                + "Received: from x by ((nested) by " + US + ") y\r\n";

            assertThat(matcher.count(mail(junk + received(US)))).isEqualTo(1);
        }

        @Test
        void aHugeNumberOfFieldsStopsCountingPastTheMaximum() throws MessagingException {
            LoopDetected matcher = loopDetected("5", List.of(US));

            assertThat(matcher.count(mail(times(5000, received(US))))).isEqualTo(6);
        }

        @Test
        void anUnreadableMessageIsNotMatchedNorThrown() throws MessagingException {
            Mail mail = FakeMail.builder().name("broken").recipients("user@example.com")
                .mimeMessage(new MimeMessage(Session.getInstance(new Properties())) {
                    @Override
                    public String[] getHeader(String name) throws MessagingException {
                        throw new MessagingException("cannot read the header");
                    }
                }).build();

            assertThat(loopDetected("1", List.of(US)).match(mail)).isEmpty();
        }
    }

    @Nested
    class ByClause {
        @Test
        void jamesReceivedField() {
            assertThat(ReceivedByHost.of("from a (EHLO a) ([127.0.0.1])\r\n          by Host.Example (JAMES SMTP Server) "
                + "with ESMTP ID 1\r\n          for <u@example.com>;\r\n          Tue, 4 Mar 2025")).contains("host.example");
        }

        @Test
        void postfixAndEximStyles() {
            assertThat(ReceivedByHost.of("from mail.example.org (mail.example.org [192.0.2.2])\r\n\tby mx.example.net "
                + "(Postfix) with ESMTPS id 4F2A1; Tue, 4 Mar 2025")).contains("mx.example.net");
            assertThat(ReceivedByHost.of("from [192.0.2.3] (helo=x)\r\n\tby mx.example.net with esmtp (Exim 4.96)\r\n\t"
                + "id 1tpZ; Tue, 4 Mar 2025")).contains("mx.example.net");
            assertThat(ReceivedByHost.of("by mx.example.net(Postfix)with LMTP id 1;date")).contains("mx.example.net");
        }

        @Test
        void nothingWithoutAByClause() {
            assertThat(ReceivedByHost.of("from a.example.org; Tue, 4 Mar 2025")).isEmpty();
            assertThat(ReceivedByHost.of("(qmail 1 invoked by uid 0); date")).isEmpty();
            assertThat(ReceivedByHost.of("by")).isEmpty();
            assertThat(ReceivedByHost.of(null)).isEmpty();
            assertThat(ReceivedByHost.of("from x; by y")).as("after the date separator").isEmpty();
        }
    }

    @Nested
    class BadConfiguration {
        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "ten", "1.5", "99999999999", ",mx.example.com"})
        void theMaximumMustBeAWholeNumberOfAtLeastOne(String condition) {
            assertThatThrownBy(() -> loopDetected(condition, List.of(US)))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("LoopDetected: invalid condition '" + condition.trim() + "': the maximum '")
                .hasMessageContaining("is not a whole number of at least 1")
                .hasMessageContaining("LoopDetected=<max>[,host name...]");
        }

        @ParameterizedTest
        @ValueSource(strings = {"10,", "10,mx example.com", "10,mx.example.com,,mx2.example.com", "10,-bad.example",
            "10,a..b", "10,user@example.com", "10,[not-an-ip]"})
        void namesMustBeHostNames(String condition) {
            assertThatThrownBy(() -> loopDetected(condition, List.of(US)))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("LoopDetected: invalid condition '" + condition + "': '")
                .hasMessageContaining("is not a host name");
        }
    }

    @Test
    void jamesBuildsItThroughGuiceWithTheSmtpServers() {
        // James' GuiceMatcherLoader calls injector.getInstance(class): the @Inject constructor takes the SMTP servers
        List<Class<?>> injected = new ArrayList<>();
        for (var constructor : LoopDetected.class.getConstructors()) {
            if (constructor.isAnnotationPresent(javax.inject.Inject.class)) {
                injected.addAll(List.of(constructor.getParameterTypes()));
            }
        }
        assertThat(injected).containsExactly(org.apache.james.smtpserver.netty.SMTPServerFactory.class);
    }
}
