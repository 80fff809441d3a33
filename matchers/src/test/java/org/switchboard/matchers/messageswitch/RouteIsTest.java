package org.switchboard.matchers.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.Route;
import org.switchboard.pipeline.RouteAttribute;

class RouteIsTest {

    private static RouteIs routeIs(String condition) throws MessagingException {
        RouteIs matcher = new RouteIs();
        matcher.init(FakeMatcherConfig.builder()
            .matcherName("RouteIs")
            .condition(condition)
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

    /** local@example.com LOCAL, remote@other.example.net SMTPC, staff@example.com DL, plain@example.com none. */
    private static Mail routedMail() throws MessagingException {
        FakeMail mail = FakeMail.builder()
            .name("mail1")
            .recipients("local@example.com", "remote@other.example.net", "staff@example.com", "plain@example.com")
            .build();
        Map<MailAddress, Route> routes = new LinkedHashMap<>();
        routes.put(address("local@example.com"), Route.parse("LOCAL$local@example.com"));
        routes.put(address("remote@other.example.net"), Route.parse("SMTPC$remote@other.example.net"));
        routes.put(address("staff@example.com"), Route.parse("DL$staff@example.com"));
        routes.put(address("gone@example.com"), Route.parse("SMTPC$gone@example.com"));
        RouteAttribute.write(mail, routes);
        return mail;
    }

    @Test
    void matchesTheRecipientsRoutedToTheChannel() throws MessagingException {
        assertThat(routeIs("SMTPC").match(routedMail())).containsExactly(address("remote@other.example.net"));
        assertThat(routeIs("LOCAL").match(routedMail())).containsExactly(address("local@example.com"));
        assertThat(routeIs("DL").match(routedMail())).containsExactly(address("staff@example.com"));
    }

    @Test
    void severalChannels() throws MessagingException {
        assertThat(routeIs("LOCAL, DL").match(routedMail()))
            .containsExactly(address("local@example.com"), address("staff@example.com"));
    }

    @Test
    void channelNamesAreCaseInsensitive() throws MessagingException {
        RouteIs matcher = routeIs(" smtpc ,Local");

        assertThat(matcher.channels()).containsExactlyInAnyOrder(Channel.SMTPC, Channel.LOCAL);
        assertThat(matcher.match(routedMail()))
            .containsExactly(address("local@example.com"), address("remote@other.example.net"));
    }

    @Test
    void channelWithoutRecipientsMatchesNone() throws MessagingException {
        assertThat(routeIs("BSMTPOUT").match(routedMail())).isEmpty();
    }

    @Test
    void mailWithoutRoutesMatchesNone() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("mail2").recipients("remote@other.example.net").build();

        assertThat(routeIs("SMTPC").match(mail)).isEmpty();
    }

    @Test
    void unreadableRouteEntriesAreIgnored() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("mail3")
            .recipients("remote@other.example.net", "bad@example.com")
            .build();
        Map<String, AttributeValue<?>> raw = new LinkedHashMap<>();
        raw.put("remote@other.example.net", AttributeValue.of("SMTPC$remote@other.example.net"));
        raw.put("bad@example.com", AttributeValue.of("no separator"));
        raw.put("not an address", AttributeValue.of("SMTPC$x@example.com"));
        mail.setAttribute(new Attribute(RouteAttribute.NAME, AttributeValue.of(raw)));

        assertThat(routeIs("SMTPC").match(mail)).containsExactly(address("remote@other.example.net"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", ",", "SMTPC,", ",LOCAL", "SMTPC,,LOCAL", "SMTP C", "SMTPC;LOCAL", "LO$CAL", "LOCAL=1", "NOTES", "SMTPD"})
    void badConditionsAreRejected(String condition) {
        assertThatThrownBy(() -> routeIs(condition))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("RouteIs")
            .hasMessageContaining(condition == null || condition.isBlank() ? "empty condition" : "'" + condition + "'");
    }
}
