package org.switchboard.directory.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PermissionTest {

    @ParameterizedTest
    @CsvSource({"Send,SEND", "send,SEND", "RECEIVE,RECEIVE", "Send/Receive,SEND_RECEIVE", "send / receive,SEND_RECEIVE",
        "Receive/Send,SEND_RECEIVE", "None,NONE", "' none ',NONE"})
    void parsesRightsCaseInsensitively(String right, Permission expected) {
        assertThat(Permission.parse(right)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Sent", "Send,Receive", "all", "Send/Receive/None"})
    void refusesUnknownRights(String right) {
        assertThatThrownBy(() -> Permission.parse(right)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(right);
    }

    @Test
    void rightsAndSpelling() {
        assertThat(Permission.SEND.maySend()).isTrue();
        assertThat(Permission.SEND.mayReceive()).isFalse();
        assertThat(Permission.RECEIVE.mayReceive()).isTrue();
        assertThat(Permission.NONE.maySend()).isFalse();
        assertThat(Permission.SEND_RECEIVE.ldapValue()).isEqualTo("Send/Receive");
        for (Permission permission : Permission.values()) {
            assertThat(Permission.parse(permission.ldapValue())).isEqualTo(permission);
        }
    }

    @Test
    void intersectionIsTheMoreRestrictive() {
        assertThat(Permission.SEND.intersect(Permission.RECEIVE)).isEqualTo(Permission.NONE);
        assertThat(Permission.SEND_RECEIVE.intersect(Permission.SEND)).isEqualTo(Permission.SEND);
        assertThat(Permission.SEND_RECEIVE.intersect(Permission.SEND_RECEIVE)).isEqualTo(Permission.SEND_RECEIVE);
        assertThat(Permission.RECEIVE.intersect(Permission.NONE)).isEqualTo(Permission.NONE);
    }

    @Test
    void channelPermissionValues() {
        ChannelPermission spec = ChannelPermission.parse("SMTPC$Send/Receive");
        assertThat(spec.channel()).isEqualTo("SMTPC");
        assertThat(spec.permission()).isEqualTo(Permission.SEND_RECEIVE);
        assertThat(spec).hasToString("SMTPC$Send/Receive");
        assertThat(ChannelPermission.parse("ccmail$none")).isEqualTo(new ChannelPermission("CCMAIL", Permission.NONE));
        assertThat(ChannelPermission.parse(" notes $ receive ").permission()).isEqualTo(Permission.RECEIVE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SMTPC", "SMTPC$", "$Send", "SMTPC$Maybe", "SM TPC$Send", "SMTPC$Send$Receive"})
    void channelPermissionRefusesMalformedValuesNamingThem(String value) {
        assertThatThrownBy(() -> ChannelPermission.parse(value)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("x-permission value '" + value + "'");
    }
}
