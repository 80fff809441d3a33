package org.switchboard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InitParametersTest {
    enum Mode { SEPARATE, REPLACE }

    /** A mailet as ours are: it checks its names with James' checkInitParameters through the helper. */
    static class SampleMailet extends GenericMailet {
        InitParameters parameters;

        @Override
        public void init() throws MessagingException {
            parameters = InitParameters.of(this);
            parameters.checkNames(this::checkInitParameters, Set.of("size", "mode"));
        }

        @Override
        public void service(Mail mail) {
        }
    }

    private static InitParameters parameters(String... nameValues) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("Sample");
        for (int i = 0; i < nameValues.length; i += 2) {
            config.setProperty(nameValues[i], nameValues[i + 1]);
        }
        SampleMailet mailet = new SampleMailet();
        mailet.init(config.build());
        return mailet.parameters;
    }

    @Test
    void unknownNamesAreRefusedByJamesCheckNamingTheMailet() {
        assertThatThrownBy(() -> parameters("size", "1k", "sise", "2k"))
            .isInstanceOf(MessagingException.class)
            .hasMessage("Sample: Unexpected init parameters found: [sise]; the parameters are mode, size");
    }

    @Test
    void jamesOwnParametersAreAccepted() throws MessagingException {
        assertThatCode(() -> parameters("onMailetException", "ignore", "onMatchException", "error"))
            .doesNotThrowAnyException();
    }

    @Test
    void namesCheckedForComponentsJamesDoesNotCheck() {
        InitParameters hook = InitParameters.of("Hook", Map.of("channel", "SMTPD")::get);

        assertThatThrownBy(() -> hook.checkNames(List.of("channel", "chanel"), Set.of("channel")))
            .hasMessage("Hook: unknown parameter(s) [chanel]; the parameters are channel");
    }

    @Test
    void textValuesAreTrimmedAndABlankOneIsAnError() throws MessagingException {
        InitParameters parameters = parameters("size", "  12k ", "mode", " ");

        assertThat(parameters.optional("size")).contains("12k");
        assertThat(parameters.optional("absent")).isEmpty();
        assertThat(parameters.value("absent", "default")).isEqualTo("default");
        assertThatThrownBy(() -> parameters.optional("mode")).hasMessage("Sample: init parameter mode is empty");
        assertThatThrownBy(() -> parameters.required("absent", "name a processor"))
            .hasMessage("Sample: init parameter absent is missing; name a processor");
    }

    @ParameterizedTest
    @CsvSource({"512, 512", "512b, 512", "64k, 65536", "64K, 65536", "25m, 26214400", "25M, 26214400",
        "2g, 2147483648"})
    void sizesFollowJamesSizeGrammar(String value, long octets) throws MessagingException {
        assertThat(parameters("size", value).size("size", "1m")).isEqualTo(octets);
    }

    @Test
    void theDefaultSizeAppliesWhenAbsent() throws MessagingException {
        assertThat(parameters().size("size", "10m")).isEqualTo(10L * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "10x", "10 m", "10mb", "0", "-1", "unlimited", "9999999999999g"})
    void badSizesAreRefusedNamingTheParameter(String value) {
        assertThatThrownBy(() -> parameters("size", value).size("size", "10m"))
            .isInstanceOf(MessagingException.class)
            .hasMessageStartingWith("Sample: init parameter size '" + value + "': ");
    }

    @ParameterizedTest
    @CsvSource({"30, PT30S", "30s, PT30S", "500ms, PT0.5S", "2 minutes, PT2M", "1h, PT1H", "1d, PT24H"})
    void durationsFollowJamesDurationParser(String value, Duration expected) throws MessagingException {
        assertThat(parameters("size", value).duration("size", "10s", ChronoUnit.SECONDS)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "10 fortnights", "-5s"})
    void badDurationsAreRefused(String value) {
        assertThatThrownBy(() -> parameters("size", value).duration("size", "10s", ChronoUnit.SECONDS))
            .hasMessageStartingWith("Sample: init parameter size '" + value + "': not a duration");
    }

    @Test
    void choicesAreTheEnumsConstantsInAnyCase() throws MessagingException {
        assertThat(parameters("mode", "Replace").choice("mode", Mode.class, Mode.SEPARATE)).isEqualTo(Mode.REPLACE);
        assertThat(parameters().choice("mode", Mode.class, Mode.SEPARATE)).isEqualTo(Mode.SEPARATE);
        assertThatThrownBy(() -> parameters("mode", "merge").choice("mode", Mode.class, Mode.SEPARATE))
            .hasMessage("Sample: init parameter mode 'merge': expected one of separate, replace (default separate)");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "YES, true", "false, false", "No, false"})
    void flagsAreTrueYesFalseOrNo(String value, boolean expected) throws MessagingException {
        assertThat(parameters("mode", value).flag("mode", !expected)).isEqualTo(expected);
    }

    @Test
    void otherFlagValuesAreRefusedAndAbsentIsTheDefault() throws MessagingException {
        assertThat(parameters().flag("mode", true)).isTrue();
        assertThatThrownBy(() -> parameters("mode", "maybe").flag("mode", false))
            .hasMessage("Sample: init parameter mode 'maybe': expected true or false");
    }

    @Test
    void inputChannelsByName() throws MessagingException {
        assertThat(parameters("mode", "webmail").inputChannel("mode")).isEqualTo(Channel.WEBMAIL);
        assertThatThrownBy(() -> parameters("mode", "SMTPC").inputChannel("mode"))
            .hasMessage("Sample: init parameter mode 'SMTPC': 'SMTPC' is not an input channel; input channels are "
                + "[BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
        assertThatThrownBy(() -> parameters().inputChannel("mode"))
            .hasMessage("Sample: init parameter mode is missing; name one of the input channels "
                + "[BSMTPIN, CCOUT, DL, INTERNAL, NOTESOUT, SMTPD, WEBMAIL]");
    }
}
