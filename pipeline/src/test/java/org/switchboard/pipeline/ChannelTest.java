package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Predicate;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class ChannelTest {
    @Test
    void theSpecsChannelsPlusInternal() {
        assertThat(Channel.inputs()).extracting(Channel::name)
            .containsExactly("BSMTPIN", "CCOUT", "DL", "INTERNAL", "NOTESOUT", "SMTPD", "WEBMAIL");
        assertThat(Channel.outputs()).extracting(Channel::name)
            .containsExactly("BSMTPOUT", "CCIN", "DL", "LOCAL", "NOTESIN", "SMTPC");
    }

    @Test
    void namesAreCaseInsensitiveAndTrimmed() {
        assertThat(Channel.input(" webmail ")).isEqualTo(Channel.WEBMAIL);
        assertThat(Channel.output("Local")).isEqualTo(Channel.LOCAL);
        assertThat(Channel.input("dl")).isSameAs(Channel.output("DL"));
    }

    @Test
    void aNameOfTheOtherSideIsRefusedWithTheList() {
        assertThatThrownBy(() -> Channel.input("SMTPC"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("'SMTPC' is not an input channel; input channels are "
                + "[BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
        assertThatThrownBy(() -> Channel.output("NOTES"))
            .hasMessage("'NOTES' is not an output channel; output channels are "
                + "[BSMTPOUT, CCIN, DL, LOCAL, NOTESIN, SMTPC]");
        assertThatThrownBy(() -> Channel.output(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyLocalSmtpcAndBsmtpoutCarryInternetAddresses() {
        assertThat(Channel.outputs().stream().filter(Channel::hasInternetAddresses))
            .containsExactly(Channel.BSMTPOUT, Channel.LOCAL, Channel.SMTPC);
    }

    @Test
    void defaultRouteIsLocalForADomainServedHereElseSmtpc() throws Exception {
        Predicate<Domain> servedHere = Domain.of("example.com")::equals;

        assertThat(Channel.defaultOutput(new MailAddress("a@example.com"), servedHere)).isEqualTo(Channel.LOCAL);
        assertThat(Channel.defaultOutput(new MailAddress("a@elsewhere.net"), servedHere)).isEqualTo(Channel.SMTPC);
    }
}
