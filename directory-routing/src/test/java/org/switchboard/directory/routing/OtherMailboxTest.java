package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtherMailboxTest {

    @Test
    void parsesTheSpecExamples() {
        OtherMailbox smtpc = OtherMailbox.parse("SMTPC$peterchan@otherisp.net");
        assertThat(smtpc.channel()).isEqualTo("SMTPC");
        assertThat(smtpc.address()).isEqualTo("peterchan@otherisp.net");
        assertThat(smtpc).hasToString("SMTPC$peterchan@otherisp.net");

        OtherMailbox local = OtherMailbox.parse("LOCAL$peter@ima.net");
        assertThat(local).isEqualTo(new OtherMailbox("LOCAL", "peter@ima.net"));
    }

    @Test
    void channelIsUpperCasedAndSpacesAroundAreTrimmed() {
        OtherMailbox route = OtherMailbox.parse(" local $ Peter@IMA.net ");
        assertThat(route.channel()).isEqualTo("LOCAL");
        assertThat(route.address()).isEqualTo("Peter@IMA.net"); // kept as written
    }

    @Test
    void otherChannelsKeepNonInternetAddresses() {
        OtherMailbox notes = OtherMailbox.parse("NOTES$John Doe/Notes Domain");
        assertThat(notes.channel()).isEqualTo("NOTES");
        assertThat(notes.address()).isEqualTo("John Doe/Notes Domain");
        assertThat(OtherMailbox.parse("CCMAIL$Doe, John at POST1").address()).isEqualTo("Doe, John at POST1");
        assertThat(OtherMailbox.parse("cc_mail-2$x").channel()).isEqualTo("CC_MAIL-2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "LOCAL", "LOCAL$", "$peter@ima.net", "  $peter@ima.net", "LOCAL$   ",
        "BAD CHANNEL$peter@ima.net", "SMTP/C$peter@ima.net", "SMTPÇ$peter@ima.net",
        "SMTPC$a$b@ima.net"})
    void refusesMalformedValuesNamingThem(String value) {
        assertThatThrownBy(() -> OtherMailbox.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("othermailbox value '" + value + "'");
    }

    /** Whether an address suits its channel is the pipeline's decision (its Route), not the directory's. */
    @Test
    void addressesAreKeptAsWrittenWhateverTheChannel() {
        assertThat(OtherMailbox.parse("SMTPC$not an address").address()).isEqualTo("not an address");
        assertThat(OtherMailbox.parse("FAX$+33 1 23 45 67 89").channel()).isEqualTo("FAX");
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> OtherMailbox.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OtherMailbox(null, "x")).isInstanceOf(NullPointerException.class);
    }
}
