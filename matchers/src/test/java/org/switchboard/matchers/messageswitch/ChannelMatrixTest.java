package org.switchboard.matchers.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

class ChannelMatrixTest {
    /** A context serving example.com only. */
    private static final MailetContext CONTEXT = servingExampleCom();

    private static MailetContext servingExampleCom() {
        FakeMailContext delegate = FakeMailContext.defaultContext();
        return (MailetContext) Proxy.newProxyInstance(ChannelMatrixTest.class.getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("isLocalServer")) {
                    return Domain.of("example.com").equals(args[0]);
                }
                try {
                    return method.invoke(delegate, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    static ChannelMatrix matrix(String condition) throws MessagingException {
        ChannelMatrix matcher = new ChannelMatrix();
        matcher.init(FakeMatcherConfig.builder()
            .matcherName("ChannelMatrix")
            .condition(condition)
            .mailetContext(CONTEXT)
            .build());
        return matcher;
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * A mail that entered by {@code input} (null: no attribute) for: local@example.com routed LOCAL,
     * remote@other.example.net routed SMTPC, staff@example.com routed DL, plain@example.com and
     * far@elsewhere.example.org without a route (default LOCAL and SMTPC).
     */
    private static Mail mail(String input) throws MessagingException {
        FakeMail mail = FakeMail.builder()
            .name("mail1")
            .recipients("local@example.com", "remote@other.example.net", "staff@example.com", "plain@example.com",
                "far@elsewhere.example.org")
            .build();
        if (input != null) {
            InputChannel.set(mail, Channel.valueOf(input));
        }
        Map<MailAddress, Route> routes = new LinkedHashMap<>();
        routes.put(address("local@example.com"), Route.parse("LOCAL$local@example.com"));
        routes.put(address("remote@other.example.net"), Route.parse("SMTPC$remote@other.example.net"));
        routes.put(address("staff@example.com"), Route.parse("DL$staff@example.com"));
        RouteAttribute.write(mail, routes);
        return mail;
    }

    private static final MailAddress LOCAL = address("local@example.com");
    private static final MailAddress REMOTE = address("remote@other.example.net");
    private static final MailAddress STAFF = address("staff@example.com");
    private static final MailAddress PLAIN = address("plain@example.com");
    private static final MailAddress FAR = address("far@elsewhere.example.org");

    @Nested
    class Matching {
        @Test
        void inputAndOutputChannelsSelectThePairs() throws MessagingException {
            ChannelMatrix matrix = matrix("in:SMTPD,BSMTPIN;out:LOCAL,DL");

            assertThat(matrix.match(mail("SMTPD"))).containsExactly(LOCAL, STAFF, PLAIN);
            assertThat(matrix.match(mail("BSMTPIN"))).containsExactly(LOCAL, STAFF, PLAIN);
            assertThat(matrix.match(mail("WEBMAIL"))).isEmpty();
        }

        @Test
        void recipientsWithoutARouteTakeTheDefaultRouteLocalForServedDomainsElseSmtpc() throws MessagingException {
            assertThat(matrix("out:LOCAL").match(mail("SMTPD"))).containsExactly(LOCAL, PLAIN);
            assertThat(matrix("out:SMTPC").match(mail("SMTPD"))).containsExactly(REMOTE, FAR);
        }

        @Test
        void anOmittedSideIsAnyChannel() throws MessagingException {
            assertThat(matrix("in:WEBMAIL").match(mail("WEBMAIL"))).containsExactly(LOCAL, REMOTE, STAFF, PLAIN, FAR);
            assertThat(matrix("in:WEBMAIL").match(mail("SMTPD"))).isEmpty();
            assertThat(matrix("out:DL").match(mail("NOTESOUT"))).containsExactly(STAFF);
        }

        @Test
        void wildcards() throws MessagingException {
            assertThat(matrix("in:*;out:*").match(mail("CCOUT"))).containsExactly(LOCAL, REMOTE, STAFF, PLAIN, FAR);
            assertThat(matrix("in:*;out:SMTPC").match(mail("DL"))).containsExactly(REMOTE, FAR);
            assertThat(matrix("in:SMTPD;out:*").match(mail("SMTPD"))).hasSize(5);
        }

        @Test
        void negation() throws MessagingException {
            assertThat(matrix("in:!WEBMAIL").match(mail("WEBMAIL"))).isEmpty();
            assertThat(matrix("in:!WEBMAIL").match(mail("SMTPD"))).hasSize(5);
            assertThat(matrix("out:!SMTPC").match(mail("SMTPD"))).containsExactly(LOCAL, STAFF, PLAIN);
            assertThat(matrix("in:*,!WEBMAIL,!INTERNAL;out:!SMTPC,!DL").match(mail("BSMTPIN")))
                .containsExactly(LOCAL, PLAIN);
            assertThat(matrix("in:*,!WEBMAIL,!INTERNAL").match(mail(null))).isEmpty();
        }

        @Test
        void mailWithoutInputChannelIsInternal() throws MessagingException {
            assertThat(matrix("in:INTERNAL;out:LOCAL").match(mail(null))).containsExactly(LOCAL, PLAIN);
            assertThat(matrix("in:SMTPD").match(mail(null))).isEmpty();
        }

        @Test
        void anInvalidInputChannelAttributeIsInternalNotAnException() throws MessagingException {
            Mail mail = mail(null);
            mail.setAttribute(new Attribute(InputChannel.NAME, AttributeValue.of("not a channel!")));

            assertThat(matrix("in:INTERNAL;out:SMTPC").match(mail)).containsExactly(REMOTE, FAR);
            assertThat(matrix("in:SMTPD").match(mail)).isEmpty();
        }

        @Test
        void aRouteToAGatewayChannelMatchesByItsName() throws MessagingException {
            Mail mail = mail("SMTPD");
            Map<MailAddress, Route> routes = new LinkedHashMap<>(RouteAttribute.read(mail));
            routes.put(PLAIN, Route.parse("NOTESIN$Plain User/Sales/Acme"));
            RouteAttribute.write(mail, routes);

            assertThat(matrix("out:NOTESIN").match(mail)).containsExactly(PLAIN);
            assertThat(matrix("out:LOCAL").match(mail)).containsExactly(LOCAL);
        }

        @Test
        void namesAndKeysAreCaseInsensitiveAndSpacesAllowed() throws MessagingException {
            ChannelMatrix matrix = matrix(" IN : smtpd , Bsmtpin ; Out: local ");

            assertThat(matrix.input().included()).containsExactlyInAnyOrder(Channel.SMTPD, Channel.BSMTPIN);
            assertThat(matrix.output().included()).containsExactly(Channel.LOCAL);
            assertThat(matrix.match(mail("BSMTPIN"))).containsExactly(LOCAL, PLAIN);
        }

        @Test
        void sidesInAnyOrder() throws MessagingException {
            assertThat(matrix("out:DL;in:SMTPD").match(mail("SMTPD"))).containsExactly(STAFF);
        }

        @Test
        void aMailWithoutRecipientsMatchesNothing() throws MessagingException {
            Mail mail = FakeMail.builder().name("empty").build();
            InputChannel.set(mail, Channel.SMTPD);

            assertThat(matrix("in:SMTPD").match(mail)).isEmpty();
        }

        @Test
        void understoodCondition() throws MessagingException {
            assertThat(matrix("in:!WEBMAIL;out:LOCAL,DL").input()).isEqualTo(new ChannelSet(true, Set.of(), Set.of(Channel.WEBMAIL)));
            assertThat(matrix("in:SMTPD").output()).isEqualTo(ChannelSet.ANY);
            assertThat(matrix("in:*").input()).isEqualTo(ChannelSet.ANY);
        }
    }

    @Nested
    class BadConfiguration {
        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"  "})
        void emptyCondition(String condition) {
            assertThatThrownBy(() -> matrix(condition))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("ChannelMatrix: empty condition")
                .hasMessageContaining("in:CHANNEL");
        }

        @ParameterizedTest(name = "{0} -> position {1}: {2}")
        @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            // condition | position | what
            "SMTPD | 1 | 'SMTPD' does not start with in: or out:",
            "from:SMTPD | 1 | unknown part 'from:'",
            "in:SMTPD;;out:LOCAL | 10 | empty part between ';' separators",
            "in:SMTPD; | 10 | empty part between ';' separators",
            ";in:SMTPD | 1 | empty part between ';' separators",
            "in:SMTPD;in:WEBMAIL | 10 | 'in:' given twice",
            "in:;out:LOCAL | 4 | no channel after 'in:'",
            "in:SMTPD;out: | 14 | no channel after 'out:'",
            "in:SMTPD,,DL | 10 | empty channel name in the in: list",
            "in:SMTPD, | 10 | empty channel name in the in: list",
            "in:SMTP D | 4 | 'SMTP D' is not an input channel",
            "out:LO$CAL | 5 | 'LO$CAL' is not an output channel",
            "in:! | 5 | '' is not an input channel",
            "in:!* | 5 | '*' is not an input channel",
            "in:!!SMTPD | 5 | '!SMTPD' is not an input channel",
            "in:SMPTD;out:LOCAL | 4 | 'SMPTD' is not an input channel",
            "in:SMTPD;out:LOCAL;in:!WEBMAIL | 20 | 'in:' given twice",
            "in:*,SMTPD | 4 | '*' already means every channel",
            "in:SMTPD,!SMTPD | 4 | SMTPD is both listed and negated",
            "out:LOCAL,!SMTPC | 5 | mixes channels and negations",
        })
        void syntaxErrorsNameTheConditionAndThePosition(String condition, int position, String what) {
            assertThatThrownBy(() -> matrix(condition))
                .isInstanceOf(MessagingException.class)
                .hasMessageStartingWith("ChannelMatrix: invalid condition '" + condition + "' at position " + position + ": ")
                .hasMessageContaining(what)
                .hasMessageContaining("syntax: in:CHANNEL");
        }

        @Test
        void unknownInputChannelListsTheKnownOnes() {
            assertThatThrownBy(() -> matrix("in:LOCAL"))
                .hasMessageContaining("'LOCAL' is not an input channel; input channels are [BSMTPIN, CCOUT, DL, "
                    + "INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
        }

        @Test
        void unknownOutputChannelListsTheKnownOnes() {
            assertThatThrownBy(() -> matrix("out:NOTES"))
                .hasMessageContaining("'NOTES' is not an output channel; output channels are [BSMTPOUT, CCIN, DL, "
                    + "LOCAL, NOTESIN, SMTPC]");
        }
    }
}
