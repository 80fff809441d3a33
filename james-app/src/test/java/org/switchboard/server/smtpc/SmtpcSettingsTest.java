package org.switchboard.server.smtpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Duration;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;
import org.switchboard.server.smtpc.SmtpcSettings.RoutingOrder;

class SmtpcSettingsTest {
    private static SmtpcSettings parse(String xml) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<smtpc>" + xml + "</smtpc>"));
        return SmtpcSettings.from(configuration, "client.test");
    }

    @Test
    void profilesInheritTheDefaultProfile() throws Exception {
        SmtpcSettings settings = parse("""
            <routing>hosts-then-dns</routing>
            <relay><primary>10.0.0.1</primary><secondary>10.0.0.2:2525</secondary></relay>
            <profile domain="default"><maxSessions>4</maxSessions></profile>
            <profile domain="Slow.Example"><queueRunInterval>2 hours</queueRunInterval><hold>true</hold>
              <sessionIdleTime>500 ms</sessionIdleTime></profile>""");

        assertThat(settings.routing()).isEqualTo(RoutingOrder.HOSTS_THEN_DNS);
        assertThat(settings.primaryRelay()).hasValueSatisfying(relay -> assertThat(relay.toString()).isEqualTo("10.0.0.1:25"));
        assertThat(settings.secondaryRelay()).hasValueSatisfying(relay -> assertThat(relay.port()).isEqualTo(2525));
        DomainProfile slow = settings.profile("slow.example");
        assertThat(slow.queueRunInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(slow.maxSessions()).isEqualTo(4);
        assertThat(slow.hold()).isTrue();
        assertThat(slow.sessionIdleTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.profile("other.example").sessionIdleTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.profile("other.example").hold()).isFalse();
        assertThat(settings.heloName()).isEqualTo("client.test");
    }

    @Test
    void wrongValuesNameTheirElement() {
        assertThatThrownBy(() -> parse("<routing>mx</routing>")).hasMessageContaining("<routing> 'mx'");
        assertThatThrownBy(() -> parse("<profile domain=\"a.example\"><maxSessions>0</maxSessions></profile>"))
            .hasMessageContaining("maxSessions> '0' is not a positive number");
        assertThatThrownBy(() -> parse("<profile domain=\"a.example\"><expiry>soon</expiry></profile>"))
            .hasMessageContaining("expiry> 'soon' is not a duration");
        assertThatThrownBy(() -> parse("<profile domain=\"a.example\"><maxSession>1</maxSession></profile>"))
            .hasMessageContaining("unknown element <maxSession>");
        assertThatThrownBy(() -> parse("<relay><secondary>10.0.0.2</secondary></relay>"))
            .hasMessageContaining("needs a <primary>");
        assertThatThrownBy(() -> parse("<relay><primary>10.0.0.2:99999</primary></relay>"))
            .hasMessageContaining("is not host[:port]");
    }

    @Test
    void etrnNamesForTheRelay() throws Exception {
        SmtpcSettings settings = parse("""
            <relay><primary>10.0.0.1</primary><etrn>example.com, branch.example.com</etrn><etrnEvery>30 minutes</etrnEvery></relay>""");

        assertThat(settings.relayEtrn()).containsExactly("example.com", "branch.example.com");
        assertThat(settings.relayEtrnEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(parse("").relayEtrn()).isEmpty();
        assertThatThrownBy(() -> parse("<relay><etrn>example.com</etrn></relay>")).hasMessageContaining("<etrn> needs a <primary>");
    }

    @Test
    void weightAddsItsTerms() {
        PriorityWeight weight = new PriorityWeight(14, 300, 90, 1000, 2);

        assertThat(weight.value()).isEqualTo(14 * 1000 + 300 * 2 - 90);
        assertThat(weight.explain()).isEqualTo("14510 = precedence 14 x Mp 1000 + size 300 KB x Ms 2 + deferred 90 min x Md -1");
    }
}
