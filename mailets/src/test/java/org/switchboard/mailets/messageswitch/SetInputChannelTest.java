package org.switchboard.mailets.messageswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.switchboard.pipeline.Channel;
import org.switchboard.pipeline.InputChannel;

class SetInputChannelTest {

    private static SetInputChannel mailet(Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("SetInputChannel");
        parameters.forEach(config::setProperty);
        SetInputChannel mailet = new SetInputChannel();
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail(String channel) throws MessagingException {
        Mail mail = FakeMail.builder().name("mail1").recipients("user@example.com").build();
        if (channel != null) {
            InputChannel.set(mail, Channel.valueOf(channel));
        }
        return mail;
    }

    @Nested
    class Service {
        @Test
        void setsTheChannel() throws MessagingException {
            Mail mail = mail(null);
            mailet(Map.of("channel", "INTERNAL")).service(mail);

            assertThat(InputChannel.of(mail)).contains(Channel.INTERNAL);
            assertThat(mail.getAttribute(InputChannel.NAME).map(attribute -> (Object) attribute.getValue().value()))
                .contains("INTERNAL");
        }

        @Test
        void replacesAnInheritedChannel() throws MessagingException {
            // a bounce is a copy of the bounced mail, attributes included: it is INTERNAL, not SMTPD
            Mail bounce = mail("SMTPD");
            mailet(Map.of("channel", "INTERNAL")).service(bounce);

            assertThat(InputChannel.of(bounce)).contains(Channel.INTERNAL);
        }

        @Test
        void onlyIfMissingKeepsAChannelAlreadySet() throws MessagingException {
            SetInputChannel fallback = mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "true"));
            Mail tagged = mail("WEBMAIL");
            Mail untagged = mail(null);

            fallback.service(tagged);
            fallback.service(untagged);

            assertThat(InputChannel.of(tagged)).contains(Channel.WEBMAIL);
            assertThat(InputChannel.of(untagged)).contains(Channel.SMTPD);
        }

        @Test
        void anInvalidAttributeIsReplacedEvenWithOnlyIfMissing() throws MessagingException {
            Mail mail = mail(null);
            mail.setAttribute(new Attribute(InputChannel.NAME, AttributeValue.of("$$$ not a channel")));

            mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "yes")).service(mail);

            assertThat(InputChannel.of(mail)).contains(Channel.SMTPD);
        }

        @Test
        void channelNamesAreCaseInsensitive() throws MessagingException {
            Mail tagged = mail("WEBMAIL");

            mailet(Map.of("channel", " bsmtpin ", "onlyIfMissing", "FALSE")).service(tagged);

            assertThat(InputChannel.of(tagged)).as("onlyIfMissing false: replaced").contains(Channel.BSMTPIN);
        }

        @Test
        void jamesOwnParametersAreAccepted() throws MessagingException {
            Mail mail = mail(null);

            mailet(Map.of("channel", "DL", "onMailetException", "ignore")).service(mail);

            assertThat(InputChannel.of(mail)).contains(Channel.DL);
        }
    }

    @Nested
    class BadConfiguration {
        @Test
        void missingChannel() {
            assertThatThrownBy(() -> mailet(Map.of()))
                .isInstanceOf(MessagingException.class)
                .hasMessage("SetInputChannel: init parameter channel is missing; name one of the input channels "
                    + "[BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
        }

        @Test
        void blankChannel() {
            assertThatThrownBy(() -> mailet(Map.of("channel", "  ")))
                .hasMessage("SetInputChannel: init parameter channel is empty");
        }

        @ParameterizedTest
        @ValueSource(strings = {"LOCAL", "SMTPC", "SMTP D", "smptd"})
        void notAnInputChannel(String channel) {
            assertThatThrownBy(() -> mailet(Map.of("channel", channel)))
                .hasMessage("SetInputChannel: init parameter channel '" + channel.strip() + "': '" + channel.strip()
                    + "' is not an input channel; input channels are [BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, "
                    + "WEBMAIL]");
        }

        @Test
        void onlyIfMissingMustBeABoolean() {
            assertThatThrownBy(() -> mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "maybe")))
                .hasMessage("SetInputChannel: init parameter onlyIfMissing 'maybe': expected true or false");
        }

        @Test
        void unknownParameter() {
            assertThatThrownBy(() -> mailet(Map.of("channel", "SMTPD", "chanel", "WEBMAIL")))
                .hasMessage("SetInputChannel: Unexpected init parameters found: [chanel]; the parameters are channel, "
                    + "onlyIfMissing");
        }
    }

    @Test
    void absentAttributeIsEmpty() throws MessagingException {
        assertThat(InputChannel.of(mail(null))).isEqualTo(Optional.empty());
    }
}
