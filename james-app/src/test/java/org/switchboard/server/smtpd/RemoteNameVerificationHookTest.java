package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.Test;

class RemoteNameVerificationHookTest {
    private final RecordedDns dns = new RecordedDns()
        .a("mail.example.net", "192.0.2.10").ptr("192.0.2.10", "Mail.Example.NET")
        .a("forged.example.net", "192.0.2.99").ptr("192.0.2.11", "forged.example.net")
        .a("noptr.example.net", "192.0.2.12")
        .a("liar.example.net", "192.0.2.13").a("other.example.net", "192.0.2.13").ptr("192.0.2.13", "other.example.net")
        .a("localhost.example.net", "127.0.0.5");

    private RemoteNameVerificationHook hook(String body) throws ConfigurationException {
        RemoteNameVerificationHook hook = new RemoteNameVerificationHook(dns);
        hook.init(Handlers.config(RemoteNameVerificationHook.class, body));
        return hook;
    }

    @Test
    void forwardAndReverseAgree() throws Exception {
        assertThat(hook("").verify("mail.example.net", address("192.0.2.10"))).isEmpty();
        assertThat(hook("").verify("MAIL.example.net.", address("192.0.2.10"))).isEmpty();
    }

    @Test
    void eachMismatchHasItsReason() throws Exception {
        RemoteNameVerificationHook hook = hook("");

        assertThat(hook.verify("forged.example.net", address("192.0.2.11")))
            .contains("HELO name forged.example.net does not resolve to 192.0.2.11");
        assertThat(hook.verify("noptr.example.net", address("192.0.2.12"))).contains("192.0.2.12 has no PTR record");
        assertThat(hook.verify("liar.example.net", address("192.0.2.13")))
            .contains("PTR record of 192.0.2.13 names other.example.net, not liar.example.net");
        assertThat(hook.verify("unknown.example.net", address("192.0.2.10")))
            .contains("HELO name unknown.example.net does not resolve");
        assertThat(hook.verify("[192.0.2.10]", address("192.0.2.10")))
            .contains("HELO name [192.0.2.10] is an address literal, not a host name");
    }

    @Test
    void byDefaultTheRefusalComesAtMail() throws Exception {
        RemoteNameVerificationHook hook = hook("");
        SMTPSession session = FakeSession.from("192.0.2.11");

        assertThat(hook.doHelo(session, "forged.example.net")).isEqualTo(HookResult.DECLINED);
        HookResult refused = hook.doMail(session, MaybeSender.nullSender());

        assertThat(refused.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(refused.getSmtpRetCode()).isEqualTo("550");
        assertThat(refused.getSmtpDescription())
            .isEqualTo("5.7.25 Remote name verification failed: HELO name forged.example.net does not resolve to 192.0.2.11");
    }

    @Test
    void aLaterGoodEhloClearsTheFailure() throws Exception {
        RemoteNameVerificationHook hook = hook("");
        SMTPSession session = FakeSession.from("192.0.2.10");

        hook.doHelo(session, "forged.example.net");
        hook.doHelo(session, "mail.example.net");

        assertThat(hook.doMail(session, MaybeSender.nullSender())).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void atHeloWhenConfigured() throws Exception {
        HookResult refused = hook("<rejectAt>HELO</rejectAt>").doHelo(FakeSession.from("192.0.2.12"), "noptr.example.net");

        assertThat(refused.getSmtpRetCode()).isEqualTo("550");
        assertThat(refused.getSmtpDescription()).isEqualTo("5.7.25 Remote name verification failed: 192.0.2.12 has no PTR record");
    }

    @Test
    void authenticatedClientsAreExemptByDefaultOnlyAtMail() throws Exception {
        SMTPSession session = FakeSession.session("192.0.2.11", "alice@example.net", false);
        RemoteNameVerificationHook hook = hook("");
        hook.doHelo(session, "forged.example.net");
        assertThat(hook.doMail(session, MaybeSender.nullSender())).isEqualTo(HookResult.DECLINED);

        RemoteNameVerificationHook strict = hook("<exemptAuthenticated>false</exemptAuthenticated>");
        strict.doHelo(session, "forged.example.net");
        assertThat(strict.doMail(session, MaybeSender.nullSender()).getResult()).isEqualTo(HookReturnCode.deny());
    }

    @Test
    void loopbackIsExemptUnlessConfigured() throws Exception {
        assertThat(hook("<rejectAt>helo</rejectAt>").doHelo(FakeSession.from("127.0.0.5"), "whatever"))
            .isEqualTo(HookResult.DECLINED);
        assertThat(hook("<rejectAt>helo</rejectAt><exemptLoopback>false</exemptLoopback>")
            .doHelo(FakeSession.from("127.0.0.5"), "whatever").getResult()).isEqualTo(HookReturnCode.deny());
    }

    @Test
    void ipv6ClientsAreCheckedAgainstAaaaRecords() throws Exception {
        RecordedDns ipv6 = new RecordedDns().a("v4only.example.net", "192.0.2.20")
            .ptr("2001:db8::20", "mail6.example.net").ptr("2001:db8::21", "v4only.example.net");
        RemoteNameVerificationHook hook = new RemoteNameVerificationHook(ipv6, name -> {
            if (name.equals("mail6.example.net")) {
                return java.util.List.of(address("2001:db8::20"));
            }
            throw new java.net.UnknownHostException(name);
        });
        hook.init(Handlers.config(RemoteNameVerificationHook.class, ""));

        assertThat(hook.verify("mail6.example.net", address("2001:db8::20"))).isEmpty();
        assertThat(hook.verify("v4only.example.net", address("2001:db8::21")))
            .as("an A record does not vouch for an IPv6 client").contains("HELO name v4only.example.net does not resolve");
    }

    @Test
    void configurationErrorsNameTheParameter() {
        assertThatThrownBy(() -> hook("<rejectAt>rcpt</rejectAt>"))
            .hasMessage("org.switchboard.server.smtpd.RemoteNameVerificationHook: parameter rejectAt 'rcpt': expected "
                + "one of helo, mail (default mail)");
        assertThatThrownBy(() -> hook("<rejectAt>helo</rejectAt><exemptAuthenticated>true</exemptAuthenticated>"))
            .hasMessage("org.switchboard.server.smtpd.RemoteNameVerificationHook: parameter exemptAuthenticated cannot "
                + "be true with rejectAt helo: clients authenticate after EHLO; use rejectAt mail");
        assertThatThrownBy(() -> hook("<exemptLoopback>maybe</exemptLoopback>"))
            .hasMessage("org.switchboard.server.smtpd.RemoteNameVerificationHook: parameter exemptLoopback 'maybe': "
                + "expected true or false");
    }

    private static java.net.InetAddress address(String literal) {
        return com.google.common.net.InetAddresses.forString(literal);
    }
}
