package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.common.net.InetAddresses;

/**
 * A list of IPv4 and IPv6 addresses and CIDR ranges ({@code 192.0.2.7}, {@code 192.0.2.0/24}, {@code 2001:db8::1},
 * {@code 2001:db8::/32}), the one matcher of the SMTP connection controls. Entries are literals, never host names: a
 * list must not change with DNS answers.
 *
 * <p>Not James' {@code NetMatcher}: its IPv6 networks (3.8.1 {@code Inet6Network}) turn a prefix into
 * log2(prefix) masked octets, so {@code /128} matches a whole /64 and {@code /32} a /48.
 */
final class NetworkList {
    private final List<Network> networks;

    private NetworkList(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses the entries; an {@link IllegalArgumentException} says which one is wrong and why.
     */
    static NetworkList parse(List<String> entries) {
        List<Network> networks = new ArrayList<>();
        for (String entry : entries) {
            networks.add(Network.parse(entry));
        }
        return new NetworkList(networks);
    }

    boolean contains(InetAddress address) {
        byte[] octets = address.getAddress();
        return networks.stream().anyMatch(network -> network.contains(octets));
    }

    @Override
    public String toString() {
        return networks.toString();
    }

    private record Network(byte[] prefix, int bits, String text) {
        static Network parse(String entry) {
            String trimmed = entry.trim();
            int slash = trimmed.indexOf('/');
            String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
            if (!InetAddresses.isInetAddress(address)) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range (e.g. 192.0.2.0/24, "
                    + "2001:db8::/32)");
            }
            byte[] octets = InetAddresses.forString(address).getAddress();
            int max = octets.length * 8;
            int bits = max;
            if (slash >= 0) {
                String length = trimmed.substring(slash + 1);
                if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > max) {
                    throw new IllegalArgumentException("'" + entry + "': the prefix length must be a number from 0 to " + max);
                }
                bits = Integer.parseInt(length);
            }
            return new Network(mask(octets, bits), bits, trimmed);
        }

        boolean contains(byte[] octets) {
            return octets.length == prefix.length && Arrays.equals(mask(octets, bits), prefix);
        }

        private static byte[] mask(byte[] octets, int bits) {
            byte[] masked = new byte[octets.length];
            for (int i = 0; i < octets.length; i++) {
                int keep = Math.max(0, Math.min(8, bits - i * 8));
                masked[i] = (byte) (octets[i] & (0xFF << (8 - keep)));
            }
            return masked;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
