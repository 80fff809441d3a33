package org.switchboard.server.smtpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.common.net.InetAddresses;

class NetworkListTest {
    private static boolean contains(NetworkList list, String address) {
        return list.contains(InetAddresses.forString(address));
    }

    @Test
    void ipv4AddressesAndRanges() {
        NetworkList list = NetworkList.parse(List.of("192.0.2.7", "198.51.100.0/24", "203.0.113.128/25"));

        assertThat(contains(list, "192.0.2.7")).isTrue();
        assertThat(contains(list, "192.0.2.8")).isFalse();
        assertThat(contains(list, "198.51.100.255")).isTrue();
        assertThat(contains(list, "198.51.101.0")).isFalse();
        assertThat(contains(list, "203.0.113.200")).isTrue();
        assertThat(contains(list, "203.0.113.127")).isFalse();
    }

    @Test
    void ipv6PrefixesAreExact() {
        // James' NetMatcher (3.8.1) makes /128 a /64 and /32 a /48: these are the cases it gets wrong
        NetworkList list = NetworkList.parse(List.of("2001:db8::1", "2001:db9::/32", "2001:dba:0:1::/64"));

        assertThat(contains(list, "2001:db8::1")).isTrue();
        assertThat(contains(list, "2001:db8::2")).isFalse();
        assertThat(contains(list, "2001:db9:ffff::1")).isTrue();
        assertThat(contains(list, "2001:dba:0:1:ffff::1")).isTrue();
        assertThat(contains(list, "2001:dba:0:2::1")).isFalse();
    }

    @Test
    void familiesDoNotMix() {
        NetworkList list = NetworkList.parse(List.of("0.0.0.0/0"));

        assertThat(contains(list, "203.0.113.1")).isTrue();
        assertThat(contains(list, "2001:db8::1")).isFalse();
        assertThat(contains(NetworkList.parse(List.of("::/0")), "127.0.0.1")).isFalse();
    }

    @Test
    void hostNamesAndBadPrefixesAreRefused() {
        assertThatThrownBy(() -> NetworkList.parse(List.of("mail.example.net")))
            .hasMessage("'mail.example.net' is not an IP address or CIDR range (e.g. 192.0.2.0/24, 2001:db8::/32)");
        assertThatThrownBy(() -> NetworkList.parse(List.of("192.0.2.0/33")))
            .hasMessage("'192.0.2.0/33': the prefix length must be a number from 0 to 32");
        assertThatThrownBy(() -> NetworkList.parse(List.of("2001:db8::/129")))
            .hasMessage("'2001:db8::/129': the prefix length must be a number from 0 to 128");
        assertThatThrownBy(() -> NetworkList.parse(List.of("192.0.2.*")))
            .hasMessageContaining("'192.0.2.*' is not an IP address");
    }
}
