package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.queue.api.MailPrioritySupport;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MtPriorityHookTest {

    private static MtPriorityHook hook(String body) throws ConfigurationException {
        MtPriorityHook hook = new MtPriorityHook();
        hook.init(Handlers.config(MtPriorityHook.class, body));
        return hook;
    }

    /** The attributes a mail gets after MAIL FROM with MT-PRIORITY=value in this session. */
    private static MailImpl accept(MtPriorityHook hook, SMTPSession session, String value) throws Exception {
        assertThat(hook.doMailParameter(session, "MT-PRIORITY", value)).isEqualTo(HookResult.DECLINED);
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();
        assertThat(hook.onMessage(session, mail)).isEqualTo(HookResult.DECLINED);
        return mail;
    }

    @Test
    void advertisesTheMixerPolicy() throws Exception {
        assertThat(hook("").implementedEsmtpFeatures(FakeSession.from("192.0.2.1"))).containsExactly("MT-PRIORITY MIXER");
        assertThat(hook("").getMailParamNames()).containsExactly("MT-PRIORITY");
    }

    @ParameterizedTest
    @CsvSource({"-9,0", "-5,2", "-4,3", "-1,4", "0,5", "+0,5", "1,5", "2,6", "4,7", "+4,7", "8,9", "9,9"})
    void trustedClientsGetTheirPriorityMappedOntoTheSpools(String value, int spool) throws Exception {
        MailImpl mail = accept(hook(""), FakeSession.session("192.0.2.1", "alice@example.com", false), value);

        assertThat(mail.getAttribute(MtPriorityHook.ATTRIBUTE)).contains(new Attribute(MtPriorityHook.ATTRIBUTE,
            AttributeValue.of(Integer.parseInt(value))));
        assertThat(mail.getAttribute(MailPrioritySupport.MAIL_PRIORITY)).contains(new Attribute(MailPrioritySupport.MAIL_PRIORITY,
            AttributeValue.of(spool)));
    }

    @Test
    void relayAllowedClientsAreTrustedToo() throws Exception {
        MailImpl mail = accept(hook(""), FakeSession.session("127.0.0.1", null, true), "6");

        assertThat(mail.getAttribute(MtPriorityHook.ATTRIBUTE).map(a -> (Object) a.getValue().value())).contains(6);
    }

    @Test
    void untrustedClientsAreLoweredToTheMaximumButMayLowerThemselves() throws Exception {
        SMTPSession stranger = FakeSession.from("198.51.100.7");
        assertThat(accept(hook(""), stranger, "7").getAttribute(MtPriorityHook.ATTRIBUTE).map(a -> (Object) a.getValue().value())).contains(0);
        assertThat(accept(hook(""), FakeSession.from("198.51.100.7"), "-6").getAttribute(MtPriorityHook.ATTRIBUTE)
            .map(a -> (Object) a.getValue().value())).contains(-6);
        assertThat(accept(hook("<untrustedMaximum>-2</untrustedMaximum>"), FakeSession.from("198.51.100.7"), "0")
            .getAttribute(MailPrioritySupport.MAIL_PRIORITY).map(a -> (Object) a.getValue().value())).contains(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "-10", "", "+", "-", "high", "4.5", "--1", "٣"})
    void badValuesGet501WithEnhancedCode(String value) throws Exception {
        HookResult result = hook("").doMailParameter(FakeSession.session("192.0.2.1", "alice@example.com", false), "MT-PRIORITY", value);

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("501");
        assertThat(result.getSmtpDescription()).startsWith("5.5.4 ");
    }

    @Test
    void aRefusedMailCommandLeavesNoPriorityForTheNextOne() throws Exception {
        MtPriorityHook hook = hook("");
        SMTPSession session = FakeSession.session("192.0.2.1", "alice@example.com", false);
        hook.doMailParameter(session, "MT-PRIORITY", "7");
        // James refused that MAIL (say, SIZE too big): no sender; the next MAIL has no MT-PRIORITY
        assertThat(hook.onCommand(session, null)).isNull();
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();
        hook.onMessage(session, mail);

        assertThat(mail.attributes()).isEmpty();
    }

    @Test
    void aSecondMailCommandInATransactionKeepsThePriority() throws Exception {
        MtPriorityHook hook = hook("");
        SMTPSession session = FakeSession.session("192.0.2.1", "alice@example.com", false);
        hook.doMailParameter(session, "MT-PRIORITY", "7");
        session.setAttachment(SMTPSession.SENDER, org.apache.james.core.MaybeSender.getMailSender("alice@example.com"),
            org.apache.james.protocols.api.ProtocolSession.State.Transaction);
        hook.onCommand(session, null);
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();
        hook.onMessage(session, mail);

        assertThat(mail.getAttribute(MtPriorityHook.ATTRIBUTE).map(a -> (Object) a.getValue().value())).contains(7);
    }

    @Test
    void withoutTheParameterTheMailGetsNoPriority() throws Exception {
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();
        hook("").onMessage(FakeSession.from("192.0.2.1"), mail);

        assertThat(mail.attributes()).isEmpty();
    }

    @Test
    void badConfigurationNamesTheParameter() {
        assertThatThrownBy(() -> hook("<untrustedMaximum>12</untrustedMaximum>"))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("MtPriorityHook").hasMessageContaining("untrustedMaximum");
        assertThatThrownBy(() -> hook("<untrustedMax>1</untrustedMax>"))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("untrustedMax");
    }
}
