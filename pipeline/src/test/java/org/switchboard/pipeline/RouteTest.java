package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RouteTest {
    @Test
    void parsesChannelAndAddress() {
        Route route = Route.parse(" smtpc $ peterchan@otherisp.net ");

        assertThat(route.channel()).isEqualTo(Channel.SMTPC);
        assertThat(route.address()).isEqualTo("peterchan@otherisp.net");
        assertThat(route).hasToString("SMTPC$peterchan@otherisp.net");
        assertThat(route.mailAddress()).isPresent();
    }

    @Test
    void gatewayChannelsKeepAddressesOfTheirOwn() {
        Route notes = Route.parse("NOTESIN$John Doe/Notes Domain");

        assertThat(notes.address()).isEqualTo("John Doe/Notes Domain");
        assertThat(notes.mailAddress()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "LOCAL", "LOCAL$", "$peter@ima.net", "SMTPD$peter@ima.net", "NOTES$John Doe",
        "SMTPC$a$b@ima.net", "SMTPC$not an address", "BSMTPOUT$tunnel", "LOCAL$peter@"})
    void refusesWhatIsNotARouteNamingIt(String value) {
        assertThatThrownBy(() -> Route.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("route '" + value + "'");
    }

    @Test
    void anInputChannelIsNoRoute() {
        assertThatThrownBy(() -> new Route(Channel.WEBMAIL, "x@ima.net"))
            .hasMessage("WEBMAIL is not an output channel; output channels are "
                + "[BSMTPOUT, CCIN, DL, LOCAL, NOTESIN, SMTPC]");
    }
}
