package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

class InputChannelTest {
    @Test
    void setThenReadBack() throws Exception {
        FakeMail mail = FakeMail.builder().name("m").build();
        assertThat(InputChannel.of(mail)).isEmpty();

        InputChannel.set(mail, Channel.BSMTPIN);

        assertThat(InputChannel.of(mail)).contains(Channel.BSMTPIN);
        assertThat(mail.getAttribute(InputChannel.NAME).orElseThrow().getValue().value()).isEqualTo("BSMTPIN");
    }

    @Test
    void aValueThatIsNoInputChannelIsAnError() throws Exception {
        FakeMail mail = FakeMail.builder().name("m")
            .attribute(new Attribute(InputChannel.NAME, AttributeValue.of("LOCAL"))).build();

        assertThatThrownBy(() -> InputChannel.of(mail)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InputChannel.set(mail, Channel.SMTPC)).isInstanceOf(IllegalArgumentException.class);
    }
}
