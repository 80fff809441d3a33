package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

import com.google.common.net.InetAddresses;

class DnsBlockListHookTest {
    private final RecordedDns dns = new RecordedDns()
        .a("7.2.0.192.bl.example.test", "127.0.0.2").txt("7.2.0.192.bl.example.test", "Listed for testing")
        .a("8.2.0.192.bl2.example.test", "127.0.0.4")
        .a("9.2.0.192.bl.example.test", "127.255.255.254")
        .a("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.test", "127.0.0.2");

    private static final String TWO_ZONES = "<zone><name>bl.example.test</name></zone>"
        + "<zone><name>bl2.example.test</name><code>550</code><reply>5.7.1 {ip} is in the second list ({zone})</reply></zone>";

    private DnsBlockListHook hook(String body) throws ConfigurationException {
        DnsBlockListHook hook = new DnsBlockListHook(dns);
        hook.init(Handlers.config(DnsBlockListHook.class, body));
        return hook;
    }

    @Test
    void listedWithTxt() throws Exception {
        HookResult refused = hook(TWO_ZONES).doMail(FakeSession.from("192.0.2.7"), MaybeSender.nullSender());

        assertThat(refused.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(refused.getSmtpRetCode()).isEqualTo("554");
        assertThat(refused.getSmtpDescription()).isEqualTo("5.7.1 Rejected: 192.0.2.7 listed by bl.example.test - Listed for testing");
    }

    @Test
    void eachZoneHasItsReply() throws Exception {
        HookResult refused = hook(TWO_ZONES).doMail(FakeSession.from("192.0.2.8"), MaybeSender.nullSender());

        assertThat(refused.getSmtpRetCode()).isEqualTo("550");
        assertThat(refused.getSmtpDescription()).isEqualTo("5.7.1 192.0.2.8 is in the second list (bl2.example.test)");
    }

    @Test
    void notListedOrErrorAnswer() throws Exception {
        assertThat(hook(TWO_ZONES).doMail(FakeSession.from("192.0.2.6"), MaybeSender.nullSender())).isEqualTo(HookResult.DECLINED);
        assertThat(hook(TWO_ZONES).doMail(FakeSession.from("192.0.2.9"), MaybeSender.nullSender()))
            .as("127.255.255.x is the list's error code").isEqualTo(HookResult.DECLINED);
    }

    @Test
    void ipv6IsLookedUpByNibbles() throws Exception {
        assertThat(hook(TWO_ZONES).check(InetAddresses.forString("2001:db8::1")))
            .isEqualTo("554 5.7.1 Rejected: 2001:db8::1 listed by bl.example.test");
    }

    @Test
    void authenticatedAndRelayClientsAreNotChecked() throws Exception {
        DnsBlockListHook hook = hook(TWO_ZONES);

        assertThat(hook.doMail(FakeSession.session("192.0.2.7", "alice@example.test", false), MaybeSender.nullSender()))
            .isEqualTo(HookResult.DECLINED);
        assertThat(hook.doMail(FakeSession.session("192.0.2.7", null, true), MaybeSender.nullSender()))
            .isEqualTo(HookResult.DECLINED);
    }

    @Test
    void configurationErrors() {
        assertThatThrownBy(() -> hook(""))
            .hasMessage("org.switchboard.server.smtpd.DnsBlockListHook: parameter zone is missing; list at least one "
                + "block list, e.g. <zone><name>bl.example.net</name></zone>");
        assertThatThrownBy(() -> hook("<zone><name>bl.example.test</name><code>250</code></zone>"))
            .hasMessage("org.switchboard.server.smtpd.DnsBlockListHook: parameter zone.code '250' of zone "
                + "bl.example.test: expected an SMTP reply code 4xx or 5xx, e.g. 554");
        assertThatThrownBy(() -> hook("<zone><name>bl.example.test</name><reply>go away</reply></zone>"))
            .hasMessage("org.switchboard.server.smtpd.DnsBlockListHook: parameter zone.reply 'go away' of zone "
                + "bl.example.test: must start with an enhanced status code of class 5, e.g. 5.7.1 Rejected: {ip} "
                + "listed by {zone}");
        assertThatThrownBy(() -> hook("<zone><name>bl.example.test</name><text>x</text></zone>"))
            .hasMessage("org.switchboard.server.smtpd.DnsBlockListHook: unknown element zone.text; a zone has name, code, reply");
        assertThatThrownBy(() -> hook("<zones><name>bl.example.test</name></zones>"))
            .hasMessageContaining("unknown parameter(s) [zones]");
    }
}
