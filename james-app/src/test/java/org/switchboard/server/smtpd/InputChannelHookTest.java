package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

class InputChannelHookTest {

    /** The configuration James' handler chain gives a {@code <handler class="...">} element. */
    private static BaseHierarchicalConfiguration handler(String... keysAndValues) {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@class]", InputChannelHook.class.getName());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.addProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        return config;
    }

    private static InputChannelHook hook(String channel) throws ConfigurationException {
        InputChannelHook hook = new InputChannelHook();
        hook.init(handler("channel", channel));
        return hook;
    }

    @Test
    void tagsTheMailWithTheServersChannelAndLetsTheChainGoOn() throws Exception {
        MailImpl mail = MailImpl.builder().name("m1").addRecipient("user@example.com").build();

        HookResult result = hook("SMTPD").onMessage(null, mail);

        assertThat(result).isEqualTo(HookResult.DECLINED);
        assertThat(InputChannel.of(mail)).contains(Channel.SMTPD);
    }

    @Test
    void anExistingValueIsNotTrusted() throws Exception {
        MailImpl mail = MailImpl.builder().name("m1").addRecipient("user@example.com")
            .addAttribute(new Attribute(InputChannel.NAME, AttributeValue.of("INTERNAL"))).build();

        hook("WEBMAIL").onMessage(null, mail);

        assertThat(InputChannel.of(mail)).contains(Channel.WEBMAIL);
    }

    @Test
    void channelNamesAreCaseInsensitive() throws Exception {
        MailImpl mail = MailImpl.builder().name("m1").addRecipient("user@example.com").build();

        hook(" webmail ").onMessage(null, mail);

        assertThat(InputChannel.of(mail)).contains(Channel.WEBMAIL);
    }

    @Test
    void missingChannel() {
        assertThatThrownBy(() -> new InputChannelHook().init(handler()))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.InputChannelHook: parameter channel is missing; name one of the "
                + "input channels [BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOCAL", "SMTP", "SMTP D"})
    void notAnInputChannel(String channel) {
        assertThatThrownBy(() -> hook(channel))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.InputChannelHook: parameter channel '" + channel + "': '"
                + channel + "' is not an input channel; input channels are [BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, "
                + "SMTPD, WEBMAIL]");
    }

    @Test
    void unknownParameter() {
        assertThatThrownBy(() -> new InputChannelHook().init(handler("channel", "SMTPD", "chanel", "WEBMAIL")))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("org.switchboard.server.smtpd.InputChannelHook: unknown parameter(s) [chanel]; the "
                + "parameters are channel");
    }
}
