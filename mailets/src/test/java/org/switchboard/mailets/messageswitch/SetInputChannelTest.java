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
import org.switchboard.directory.routing.InputChannel;

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
            InputChannel.set(mail, channel);
        }
        return mail;
    }

    @Nested
    class Service {
        @Test
        void setsTheChannel() throws MessagingException {
            Mail mail = mail(null);
            mailet(Map.of("channel", "INTERNAL")).service(mail);

            assertThat(InputChannel.of(mail)).contains("INTERNAL");
            assertThat(mail.getAttribute(InputChannel.NAME).map(attribute -> (Object) attribute.getValue().value()))
                .contains("INTERNAL");
        }

        @Test
        void replacesAnInheritedChannel() throws MessagingException {
            // a bounce is a copy of the bounced mail, attributes included: it is INTERNAL, not SMTPD
            Mail bounce = mail("SMTPD");
            mailet(Map.of("channel", "INTERNAL")).service(bounce);

            assertThat(InputChannel.of(bounce)).contains("INTERNAL");
        }

        @Test
        void onlyIfMissingKeepsAChannelAlreadySet() throws MessagingException {
            SetInputChannel fallback = mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "true"));
            Mail tagged = mail("WEBMAIL");
            Mail untagged = mail(null);

            fallback.service(tagged);
            fallback.service(untagged);

            assertThat(InputChannel.of(tagged)).contains("WEBMAIL");
            assertThat(InputChannel.of(untagged)).contains("SMTPD");
        }

        @Test
        void anInvalidAttributeIsReplacedEvenWithOnlyIfMissing() throws MessagingException {
            Mail mail = mail(null);
            mail.setAttribute(new Attribute(InputChannel.NAME, AttributeValue.of("$$$ not a channel")));

            mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "yes")).service(mail);

            assertThat(InputChannel.of(mail)).contains("SMTPD");
        }

        @Test
        void channelNamesAreCaseInsensitive() throws MessagingException {
            SetInputChannel mailet = mailet(Map.of("channel", " bsmtpin ", "onlyIfMissing", "FALSE"));

            assertThat(mailet.channel()).isEqualTo("BSMTPIN");
            assertThat(mailet.onlyIfMissing()).isFalse();
        }

        @Test
        void jamesOwnParametersAreAccepted() throws MessagingException {
            assertThat(mailet(Map.of("channel", "DL", "onMailetException", "ignore")).channel()).isEqualTo("DL");
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
                .hasMessageStartingWith("SetInputChannel: init parameter channel is missing");
        }

        @ParameterizedTest
        @ValueSource(strings = {"LOCAL", "SMTPC", "SMTP D", "smptd"})
        void notAnInputChannel(String channel) {
            assertThatThrownBy(() -> mailet(Map.of("channel", channel)))
                .hasMessage("SetInputChannel: init parameter channel '" + channel.strip() + "' is not an input channel; "
                    + "use one of [BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
        }

        @Test
        void onlyIfMissingMustBeABoolean() {
            assertThatThrownBy(() -> mailet(Map.of("channel", "SMTPD", "onlyIfMissing", "maybe")))
                .hasMessage("SetInputChannel: init parameter onlyIfMissing 'maybe' is neither true nor false");
        }

        @Test
        void unknownParameter() {
            assertThatThrownBy(() -> mailet(Map.of("channel", "SMTPD", "chanel", "WEBMAIL")))
                .hasMessage("SetInputChannel: unknown init parameter(s) [chanel]; the parameters are channel and "
                    + "onlyIfMissing");
        }
    }

    @Test
    void absentAttributeIsEmpty() throws MessagingException {
        assertThat(InputChannel.of(mail(null))).isEqualTo(Optional.empty());
    }
}
