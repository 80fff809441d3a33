package org.switchboard.matchers.preprocessor.antispam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HeaderAddressesTest {

    @Test
    void severalAddressesWithDisplayNamesAndComments() {
        assertThat(HeaderAddresses.of("\"Doe, John\" <John.Doe@Example.ORG>, jane@example.net (Jane),\r\n\t<x@y.example>"))
            .containsExactly("john.doe@example.org", "jane@example.net", "x@y.example");
    }

    @Test
    void groups() {
        assertThat(HeaderAddresses.of("Friends: a@example.org, b@example.org;, c@example.org"))
            .containsExactly("a@example.org", "b@example.org", "c@example.org");
    }

    @Test
    void encodedWordDisplayNames() {
        assertThat(HeaderAddresses.of("=?UTF-8?B?w4lsb2TDrWU=?= <elodie@example.org>, =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= "
            + "<test@example.jp>")).containsExactly("elodie@example.org", "test@example.jp");
    }

    @Test
    void aWholeValueInAnEncodedWordIsDecodedAndScanned() {
        // readers show "spammer@spam.example"; the address parser sees a local part without a domain
        assertThat(HeaderAddresses.of("=?UTF-8?B?c3BhbW1lckBzcGFtLmV4YW1wbGU=?=")).containsExactly("spammer@spam.example");
    }

    @Test
    void anUnknownCharsetInAnEncodedWordDoesNotThrow() {
        // undecodable: nothing address-like is left to check, and nothing is made up
        assertThat(HeaderAddresses.of("=?x-unknown-charset?B?c3BhbW1lckBzcGFtLmV4YW1wbGU=?=")).isEmpty();
        assertThat(HeaderAddresses.of("=?x-unknown?Q?name?= <a@example.org>")).containsExactly("a@example.org");
    }

    @Test
    void invalidSyntaxFallsBackToAddressLikeTokens() {
        assertThat(HeaderAddresses.of("Spammer <spammer@spam.example")).containsExactly("spammer@spam.example");
        assertThat(HeaderAddresses.of("\"unterminated <a@spam.example>, b@example.org")).contains("a@spam.example");
        assertThat(HeaderAddresses.of("<<<@@@>>>, ;;; (((")).isEmpty();
        assertThat(HeaderAddresses.of("d\u00e9j\u00e0 vu <caf\u00e9@exampl\u00e9.org>")).containsExactly("caf\u00e9@exampl\u00e9.org");
    }

    @Test
    void returnPathForms() {
        assertThat(HeaderAddresses.of("<bounce-1@lists.example.org>")).containsExactly("bounce-1@lists.example.org");
        assertThat(HeaderAddresses.of("<>")).isEmpty();
    }

    @Test
    void emptyAndBlankValues() {
        assertThat(HeaderAddresses.of((String) null)).isEmpty();
        assertThat(HeaderAddresses.of("   ")).isEmpty();
        assertThat(HeaderAddresses.of("undisclosed-recipients:;")).isEmpty();
        assertThat(HeaderAddresses.of("just a name")).isEmpty();
    }

    @Test
    void severalFieldsOfOneHeader() {
        assertThat(HeaderAddresses.of(List.of("a@example.org", "b@example.org, a@example.org")))
            .containsExactly("a@example.org", "b@example.org");
    }

    @Test
    void aHugeFieldIsBounded() {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            value.append("user").append(i).append("@example.org, ");
        }
        assertThat(HeaderAddresses.of(value.toString())).hasSize(HeaderAddresses.MAX_ADDRESSES);
    }
}
