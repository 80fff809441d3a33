package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTest {

    @Test
    void parsesTheSpecExamples() {
        Route smtpc = Route.parse("SMTPC$peterchan@otherisp.net");
        assertThat(smtpc.channel()).isEqualTo("SMTPC");
        assertThat(smtpc.address()).isEqualTo("peterchan@otherisp.net");
        assertThat(smtpc.mailAddress()).hasValueSatisfying(a -> assertThat(a.asString()).isEqualTo("peterchan@otherisp.net"));
        assertThat(smtpc).hasToString("SMTPC$peterchan@otherisp.net");

        Route local = Route.parse("LOCAL$peter@ima.net");
        assertThat(local).isEqualTo(new Route("LOCAL", "peter@ima.net"));
    }

    @Test
    void channelIsUpperCasedAndSpacesAroundAreTrimmed() {
        Route route = Route.parse(" local $ Peter@IMA.net ");
        assertThat(route.channel()).isEqualTo("LOCAL");
        assertThat(route.address()).isEqualTo("Peter@IMA.net"); // kept as written
    }

    @Test
    void otherChannelsKeepNonInternetAddresses() {
        Route notes = Route.parse("NOTES$John Doe/Notes Domain");
        assertThat(notes.channel()).isEqualTo("NOTES");
        assertThat(notes.address()).isEqualTo("John Doe/Notes Domain");
        assertThat(notes.mailAddress()).isEmpty();
        assertThat(Route.parse("CCMAIL$Doe, John at POST1").address()).isEqualTo("Doe, John at POST1");
        assertThat(Route.parse("cc_mail-2$x").channel()).isEqualTo("CC_MAIL-2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "LOCAL", "LOCAL$", "$peter@ima.net", "  $peter@ima.net", "LOCAL$   ",
        "BAD CHANNEL$peter@ima.net", "SMTP/C$peter@ima.net", "SMTPÇ$peter@ima.net",
        "SMTPC$a$b@ima.net", "SMTPC$not an address", "LOCAL$peter@", "SMTPC$@ima.net"})
    void refusesMalformedValuesNamingThem(String value) {
        assertThatThrownBy(() -> Route.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("othermailbox value '" + value + "'");
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> Route.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route(null, "x")).isInstanceOf(NullPointerException.class);
    }
}
