package org.switchboard.server.smtpc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * MX and A lookups through dnsjava's default resolver and cache, which James' {@code DNSJavaService} sets from
 * {@code conf/dnsservice.xml} (the server's DNS). James' own {@code findMXRecords} cannot tell a domain that does not
 * exist from one whose name server did not answer, and logs a stack trace for the first: SMTPC needs the difference
 * (bounce at once, or retry later).
 */
class DnsLookup {
    /** The mail exchangers of a domain, by preference (RFC 5321 section 5.1), with their addresses. */
    Resolution mailExchangers(String domain, int port) {
        Lookup mx = lookup(domain, Type.MX);
        if (mx == null) {
            return new Resolution.Permanent("domain name " + domain + " is not valid");
        }
        Record[] records = mx.run();
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<MXRecord> exchangers = new ArrayList<>(Arrays.stream(records).map(MXRecord.class::cast).toList());
                exchangers.sort(Comparator.comparingInt(MXRecord::getPriority));
                if (exchangers.size() == 1 && exchangers.get(0).getTarget().equals(Name.root)) {
                    return new Resolution.Permanent("domain " + domain + " accepts no mail (null MX)");
                }
                List<Hop> hops = new ArrayList<>();
                String lastProblem = null;
                for (MXRecord exchanger : exchangers) {
                    String host = exchanger.getTarget().toString(true);
                    Resolution addresses = addresses(host, port);
                    if (addresses instanceof Resolution.Hops found) {
                        hops.addAll(found.hops());
                    } else {
                        lastProblem = reason(addresses);
                    }
                }
                return hops.isEmpty()
                    ? new Resolution.Temporary("no address for the mail exchangers of " + domain + ": " + lastProblem)
                    : new Resolution.Hops(hops);
            }
            case Lookup.HOST_NOT_FOUND -> {
                return new Resolution.Permanent("domain " + domain + " does not exist (NXDOMAIN)");
            }
            case Lookup.TYPE_NOT_FOUND -> {
                Resolution implicit = addresses(domain, port);
                if (implicit instanceof Resolution.Permanent) {
                    return new Resolution.Permanent("domain " + domain + " has no MX and no A record");
                }
                return implicit;
            }
            default -> {
                return new Resolution.Temporary("DNS lookup of MX " + domain + " failed: " + mx.getErrorString());
            }
        }
    }

    /** The IPv4 addresses of a host (an address literal stands for itself). */
    Resolution addresses(String host, int port) {
        if (isAddressLiteral(host)) {
            return new Resolution.Hops(List.of(new Hop(host, host, port)));
        }
        Lookup a = lookup(host, Type.A);
        if (a == null) {
            return new Resolution.Permanent("host name " + host + " is not valid");
        }
        Record[] records = a.run();
        return switch (a.getResult()) {
            case Lookup.SUCCESSFUL -> new Resolution.Hops(Arrays.stream(records)
                .map(record -> new Hop(host, ((ARecord) record).getAddress().getHostAddress(), port))
                .toList());
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> new Resolution.Permanent("host " + host + " has no A record");
            default -> new Resolution.Temporary("DNS lookup of A " + host + " failed: " + a.getErrorString());
        };
    }

    private static Lookup lookup(String name, int type) {
        try {
            // an absolute name: no search path appended
            return new Lookup(Name.fromString(name, Name.root), type);
        } catch (TextParseException e) {
            return null;
        }
    }

    static boolean isAddressLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }

    static String reason(Resolution resolution) {
        if (resolution instanceof Resolution.Temporary temporary) {
            return temporary.reason();
        }
        if (resolution instanceof Resolution.Permanent permanent) {
            return permanent.reason();
        }
        return "found";
    }
}
