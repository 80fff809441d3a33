package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.smtpserver.dsn.DSNRcptParameterHook;
import org.apache.mailet.DsnParameters.Notify;
import org.apache.mailet.DsnParameters.RecipientDsnParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DsnRcptParameterHookTest {
    private static final MaybeSender SENDER = MaybeSender.getMailSender("alice@example.com");

    private static Map<MailAddress, RecipientDsnParameters> recorded(SMTPSession session) {
        return session.getAttachment(DSNRcptParameterHook.DSN_RCPT_PARAMETERS, ProtocolSession.State.Transaction)
            .<Map<MailAddress, RecipientDsnParameters>>map(DSNRcptParameterHook.Builder::build).orElse(Map.of());
    }

    @Test
    void notifyAndAnXtextOrcptAreRecordedForJamesMessageHook() throws Exception {
        SMTPSession session = FakeSession.from("192.0.2.1");
        MailAddress bob = new MailAddress("bob@example.com");

        HookResult result = new DsnRcptParameterHook().doRcpt(session, SENDER, bob,
            Map.of("NOTIFY", "success,Failure", "ORCPT", "RFC822;first+2Blast@example.com"));

        assertThat(result).isEqualTo(HookResult.DECLINED);
        assertThat(recorded(session)).containsExactly(Map.entry(bob, RecipientDsnParameters.of(
            EnumSet.of(Notify.SUCCESS, Notify.FAILURE), new MailAddress("first+last@example.com"))));
    }

    @Test
    void aRepeatedRecipientKeepsItsLastParameters() throws Exception {
        SMTPSession session = FakeSession.from("192.0.2.1");
        MailAddress bob = new MailAddress("bob@example.com");
        DsnRcptParameterHook hook = new DsnRcptParameterHook();

        hook.doRcpt(session, SENDER, bob, Map.of("NOTIFY", "SUCCESS"));
        hook.doRcpt(session, SENDER, new MailAddress("carol@example.com"), Map.of("NOTIFY", "DELAY"));
        hook.doRcpt(session, SENDER, bob, Map.of("NOTIFY", "NEVER"));

        assertThat(recorded(session)).hasSize(2).containsEntry(bob, RecipientDsnParameters.of(EnumSet.of(Notify.NEVER)));
    }

    @Test
    void anOrcptOfAnotherAddressTypeIsAccepted() throws Exception {
        SMTPSession session = FakeSession.from("192.0.2.1");

        HookResult result = new DsnRcptParameterHook().doRcpt(session, SENDER, new MailAddress("bob@example.com"),
            Map.of("NOTIFY", "FAILURE", "ORCPT", "x400;c+3Dus+3Ba+3D+20"));

        assertThat(result).isEqualTo(HookResult.DECLINED);
        assertThat(recorded(session).values()).containsExactly(RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOTIFY=SOMETIMES", "NOTIFY=NEVER,SUCCESS", "NOTIFY=", "ORCPT=bob@example.com",
        "ORCPT=rfc822;not-an-address", "ORCPT=rfc822;", "ORCPT=;bob@example.com", "ORCPT=rfc822;bob+ZZ@example.com"})
    void malformedValuesGet501(String parameter) throws Exception {
        String[] nameAndValue = parameter.split("=", 2);
        HookResult result = new DsnRcptParameterHook().doRcpt(FakeSession.from("192.0.2.1"), SENDER,
            new MailAddress("bob@example.com"), Map.of(nameAndValue[0], nameAndValue[1]));

        assertThat(result.getResult()).isEqualTo(HookReturnCode.deny());
        assertThat(result.getSmtpRetCode()).isEqualTo("501");
        assertThat(result.getSmtpDescription()).startsWith("5.5.4 ");
    }
}
