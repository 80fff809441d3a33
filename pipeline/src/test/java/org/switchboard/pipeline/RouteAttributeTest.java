package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class RouteAttributeTest {

    private static Map<MailAddress, Route> routes() throws MessagingException {
        Map<MailAddress, Route> routes = new LinkedHashMap<>();
        routes.put(new MailAddress("peter@ima.net"), Route.parse("LOCAL$peter@ima.net"));
        routes.put(new MailAddress("peterchan@otherisp.net"), Route.parse("SMTPC$peterchan@otherisp.net"));
        routes.put(new MailAddress("notes@example.com"), Route.parse("NOTESIN$Peter Chan/Sales/Acme"));
        return routes;
    }

    @Test
    void writtenRoutesReadBackInOrder() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m").build();

        RouteAttribute.write(mail, routes());

        assertThat(RouteAttribute.read(mail)).containsExactlyEntriesOf(routes());
        assertThat(RouteAttribute.routeOf(mail, new MailAddress("peterchan@otherisp.net")))
            .contains(Route.of("SMTPC", "peterchan@otherisp.net"));
        assertThat(RouteAttribute.routeOf(mail, new MailAddress("nobody@example.com"))).isEmpty();
    }

    @Test
    void attributeIsAMapOfStringsNamedOrgSwitchboardRoute() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m").build();

        RouteAttribute.write(mail, routes());

        Attribute attribute = mail.getAttribute(RouteAttribute.NAME).orElseThrow();
        assertThat(attribute.getName().asString()).isEqualTo("org.switchboard.route");
        assertThat(attribute.getValue().value()).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) attribute.getValue().value()).get("peterchan@otherisp.net"))
            .isEqualTo(AttributeValue.of("SMTPC$peterchan@otherisp.net"));
    }

    /** The JSON form is what James' JMS spool and JPA mail repositories store. */
    @Test
    void routesSurviveJamesAttributeSerialization() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").build();
        RouteAttribute.write(mail, routes());
        Attribute attribute = mail.getAttribute(RouteAttribute.NAME).orElseThrow();

        String json = attribute.getValue().toJson().orElseThrow().toString();
        FakeMail restored = FakeMail.builder().name("m")
            .attribute(new Attribute(RouteAttribute.NAME, AttributeValue.fromJsonString(json)))
            .build();

        assertThat(RouteAttribute.read(restored)).containsExactlyEntriesOf(routes());
    }

    @Test
    void writingNoRoutesRemovesTheAttribute() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m").build();
        RouteAttribute.write(mail, routes());

        RouteAttribute.write(mail, Map.of());

        assertThat(mail.getAttribute(RouteAttribute.NAME)).isEmpty();
        assertThat(RouteAttribute.read(mail)).isEmpty();
    }

    @Test
    void attributeOfAnotherTypeReadsAsNoRoutes() throws MessagingException {
        FakeMail mail = FakeMail.builder().name("m")
            .attribute(new Attribute(RouteAttribute.NAME, AttributeValue.of("SMTPC")))
            .build();

        assertThat(RouteAttribute.read(mail)).isEmpty();
    }

    @Test
    void entriesThatAreNotRoutesAreSkipped() throws MessagingException {
        Map<String, AttributeValue<?>> encoded = new LinkedHashMap<>();
        encoded.put("peter@ima.net", AttributeValue.of("LOCAL$peter@ima.net"));
        encoded.put("x@ima.net", AttributeValue.of("FAX$0123"));
        encoded.put("not an address", AttributeValue.of("SMTPC$x@ima.net"));
        FakeMail mail = FakeMail.builder().name("m")
            .attribute(new Attribute(RouteAttribute.NAME, AttributeValue.of(encoded)))
            .build();

        assertThat(RouteAttribute.read(mail))
            .containsExactly(Map.entry(new MailAddress("peter@ima.net"), Route.of("LOCAL", "peter@ima.net")));
    }
}
