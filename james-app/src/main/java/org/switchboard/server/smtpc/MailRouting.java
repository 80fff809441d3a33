package org.switchboard.server.smtpc;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.switchboard.server.smtpc.SmtpcSettings.HostAndPort;
import org.switchboard.server.smtpc.SmtpcSettings.RoutingOrder;

/**
 * Where a domain's mail goes: the host table, DNS (MX, else A), in the configured order (a source without an answer
 * hands over to the other; a temporary DNS failure does not, it defers the mail), and the default relay hosts for
 * every domain the host table does not name.
 */
class MailRouting {
    private final RoutingOrder order;
    private final Supplier<HostTable> hostTable;
    private final DnsLookup dns;
    private final int remotePort;
    private final Optional<RelayHosts> relays;

    MailRouting(RoutingOrder order, Supplier<HostTable> hostTable, DnsLookup dns, int remotePort, Optional<RelayHosts> relays) {
        this.order = order;
        this.hostTable = hostTable;
        this.dns = dns;
        this.remotePort = remotePort;
        this.relays = relays;
    }

    Resolution resolve(String domain) {
        boolean tableFirst = order == RoutingOrder.HOSTS || order == RoutingOrder.HOSTS_THEN_DNS;
        boolean tableUsed = order != RoutingOrder.DNS;
        if (tableFirst || relays.isPresent()) {
            Optional<Resolution> fromTable = tableUsed ? fromHostTable(domain) : Optional.empty();
            if (fromTable.isPresent()) {
                return fromTable.get();
            }
            if (relays.isPresent()) {
                return new Resolution.Hops(relays.get().hops());
            }
            if (order == RoutingOrder.HOSTS) {
                return new Resolution.Permanent("domain " + domain + " is not in the host table");
            }
            return dns.mailExchangers(domain, remotePort);
        }
        Resolution fromDns = dns.mailExchangers(domain, remotePort);
        if (fromDns instanceof Resolution.Permanent && order == RoutingOrder.DNS_THEN_HOSTS) {
            return fromHostTable(domain).orElse(fromDns);
        }
        return fromDns;
    }

    private Optional<Resolution> fromHostTable(String domain) {
        return hostTable.get().lookup(domain).map(this::addresses);
    }

    private Resolution addresses(HostAndPort entry) {
        Resolution found = dns.addresses(entry.host(), entry.port());
        return found instanceof Resolution.Permanent permanent
            ? new Resolution.Temporary("host table entry " + entry + ": " + permanent.reason())
            : found;
    }

    Optional<RelayHosts> relays() {
        return relays;
    }

}
