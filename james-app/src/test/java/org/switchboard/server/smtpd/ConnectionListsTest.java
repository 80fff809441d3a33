package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

/** The site network list and the deny lists (networks, host names, sender domains). */
class ConnectionListsTest {

    private static SiteNetworksHandler site(String networks) throws ConfigurationException {
        SiteNetworksHandler handler = new SiteNetworksHandler();
        handler.init(Handlers.config(SiteNetworksHandler.class, "<networks>" + networks + "</networks>"));
        return handler;
    }

    @Test
    void siteNetworksLetListedClientsIn() throws Exception {
        SiteNetworksHandler handler = site("192.0.2.0/24, 2001:db8::/32");

        assertThat(handler.onConnect(FakeSession.from("192.0.2.200"))).isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("2001:db8:1::7"))).isSameAs(ClientAddresses.PASS);
    }

    @Test
    void siteNetworksRefuseOthersAtConnectAndClose() throws Exception {
        Response response = site("192.0.2.0/24").onConnect(FakeSession.from("198.51.100.9"));

        assertThat(response.getRetCode()).isEqualTo("554");
        assertThat(Handlers.lines(response)).containsExactly(
            "554 5.7.1 Connection refused: 198.51.100.9 is not in this site's networks");
        assertThat(response.isEndSession()).isTrue();
    }

    @Test
    void repeatedElementsAddUp() throws Exception {
        SiteNetworksHandler handler = new SiteNetworksHandler();
        handler.init(Handlers.config(SiteNetworksHandler.class,
            "<networks>192.0.2.0/24</networks><networks>198.51.100.9 2001:db8::1</networks>"));

        assertThat(handler.onConnect(FakeSession.from("198.51.100.9"))).isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("2001:db8::1"))).isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("2001:db8::2")).isEndSession()).isTrue();
    }

    @Test
    void afterARefusalTheNextControlsPass() throws Exception {
        org.apache.james.protocols.smtp.SMTPSession session = FakeSession.from("198.51.100.9");
        DeniedNetworksHandler denied = new DeniedNetworksHandler();
        denied.init(Handlers.config(DeniedNetworksHandler.class, "<networks>198.51.100.0/24</networks>"));

        assertThat(site("192.0.2.0/24").onConnect(session).isEndSession()).isTrue();
        assertThat(denied.onConnect(session)).as("one refusal, one log line").isSameAs(ClientAddresses.PASS);
    }

    @Test
    void siteNetworksNeedAList() {
        assertThatThrownBy(() -> site(""))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.SiteNetworksHandler: parameter networks is missing or empty; list "
                + "at least one, e.g. <networks>192.0.2.0/24, 2001:db8::/32</networks>");
        assertThatThrownBy(() -> site("192.0.2.0/24, gateway.example.net"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.SiteNetworksHandler: parameter networks: 'gateway.example.net' "
                + "is not an IP address or CIDR range (e.g. 192.0.2.0/24, 2001:db8::/32)");
    }

    @Test
    void misspelledParameterIsRefused() {
        assertThatThrownBy(() -> new DeniedNetworksHandler().init(Handlers.config(DeniedNetworksHandler.class,
            "<network>192.0.2.7</network>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.DeniedNetworksHandler: unknown parameter(s) [network]; the "
                + "parameters are networks");
    }

    @Test
    void deniedNetworksRefuseListedClients() throws Exception {
        DeniedNetworksHandler handler = new DeniedNetworksHandler();
        handler.init(Handlers.config(DeniedNetworksHandler.class, "<networks>203.0.113.0/24, 2001:db8:bad::/48</networks>"));

        Response refused = handler.onConnect(FakeSession.from("203.0.113.77"));
        assertThat(Handlers.lines(refused)).containsExactly("554 5.7.1 Connection refused: 203.0.113.77 is on this site's deny list");
        assertThat(refused.isEndSession()).isTrue();
        assertThat(handler.onConnect(FakeSession.from("2001:db8:bad:1::1")).isEndSession()).isTrue();
        assertThat(handler.onConnect(FakeSession.from("203.0.114.1"))).isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("2001:db8:bae::1"))).isSameAs(ClientAddresses.PASS);
    }

    @Test
    void deniedHostNamesMatchTheReverseName() throws Exception {
        RecordedDns dns = new RecordedDns()
            .ptr("198.51.100.1", "host-1.Dynamic.Example.NET")
            .ptr("198.51.100.2", "dynamic.example.net")
            .ptr("198.51.100.3", "spammer.example.org")
            .ptr("198.51.100.4", "mail.example.com");
        DeniedHostNamesHandler handler = new DeniedHostNamesHandler(dns);
        handler.init(Handlers.config(DeniedHostNamesHandler.class, "<hostnames>*.dynamic.example.net, spammer.example.org</hostnames>"));

        assertThat(Handlers.lines(handler.onConnect(FakeSession.from("198.51.100.1")))).containsExactly(
            "554 5.7.1 Connection refused: host name host-1.dynamic.example.net of 198.51.100.1 is on this site's deny list");
        assertThat(handler.onConnect(FakeSession.from("198.51.100.2"))).as("the wildcard is for names below").isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("198.51.100.3")).isEndSession()).isTrue();
        assertThat(handler.onConnect(FakeSession.from("198.51.100.4"))).isSameAs(ClientAddresses.PASS);
        assertThat(handler.onConnect(FakeSession.from("198.51.100.5"))).as("no PTR record").isSameAs(ClientAddresses.PASS);
    }

    @Test
    void deniedHostNamesAreNames() {
        assertThatThrownBy(() -> new DeniedHostNamesHandler(new RecordedDns()).init(Handlers.config(
            DeniedHostNamesHandler.class, "<hostnames>*example.net</hostnames>")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.DeniedHostNamesHandler: parameter hostnames: '*example.net' is not "
                + "a host or domain name, nor *. and a name (e.g. mail.example.net, *.example.net)");
    }

    @Test
    void deniedSenderDomains() throws Exception {
        DeniedSenderDomainsHook hook = new DeniedSenderDomainsHook();
        hook.init(Handlers.config(DeniedSenderDomainsHook.class, "<domains>spam.example.com, *.bulk.example.org</domains>"));

        HookResult refused = hook.doMail(FakeSession.from("192.0.2.1"), MaybeSender.of(new MailAddress("a@SPAM.example.com")));
        assertThat(refused.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(refused.getSmtpRetCode()).isEqualTo("550");
        assertThat(refused.getSmtpDescription()).isEqualTo("5.7.1 Sender domain spam.example.com is on this site's deny list");
        assertThat(hook.doMail(FakeSession.from("192.0.2.1"), MaybeSender.of(new MailAddress("a@x.bulk.example.org"))).getResult())
            .isEqualTo(HookReturnCode.deny());
        assertThat(hook.doMail(FakeSession.from("192.0.2.1"), MaybeSender.of(new MailAddress("a@example.com"))))
            .isEqualTo(HookResult.DECLINED);
        assertThat(hook.doMail(FakeSession.from("192.0.2.1"), MaybeSender.nullSender())).isEqualTo(HookResult.DECLINED);
    }
}
