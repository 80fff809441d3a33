package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.server.core.MailImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BodyParameterHookTest {

    @ParameterizedTest
    @ValueSource(strings = {"8BITMIME", "8bitmime", "7BIT", "7bit"})
    void declaredBodiesAreRecordedInUpperCase(String value) throws Exception {
        BodyParameterHook hook = new BodyParameterHook();
        SMTPSession session = FakeSession.from("192.0.2.1");
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();

        assertThat(hook.doMailParameter(session, "BODY", value)).isEqualTo(HookResult.DECLINED);
        hook.onMessage(session, mail);

        assertThat(mail.getAttribute(BodyParameterHook.ATTRIBUTE).map(a -> (Object) a.getValue().value())).contains(value.toUpperCase());
    }

    @ParameterizedTest
    @ValueSource(strings = {"BINARYMIME", "", "8BIT", "7BIT8BITMIME"})
    void otherValuesGet501(String value) {
        HookResult result = new BodyParameterHook().doMailParameter(FakeSession.from("192.0.2.1"), "BODY", value);

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("501");
        assertThat(result.getSmtpDescription()).startsWith("5.5.4 ");
    }

    @Test
    void withoutBodyNothingIsRecorded() throws Exception {
        MailImpl mail = MailImpl.builder().name("m").addRecipient("bob@example.com").build();
        new BodyParameterHook().onMessage(FakeSession.from("192.0.2.1"), mail);

        assertThat(mail.attributes()).isEmpty();
    }
}
