package org.switchboard.server.lists;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.james.dnsservice.api.DNSService;

/** DNS answering TXT queries from a table (nothing for other names), as the list manager's DMARC lookups see it. */
final class FakeDns implements DNSService {
    private final Map<String, List<String>> txt;

    FakeDns(Map<String, List<String>> txt) {
        this.txt = txt;
    }

    @Override
    public Collection<String> findMXRecords(String hostname) {
        return List.of();
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return txt.getOrDefault(hostname, List.of());
    }

    @Override
    public Collection<InetAddress> getAllByName(String host) {
        return List.of();
    }

    @Override
    public InetAddress getByName(String host) throws java.net.UnknownHostException {
        throw new java.net.UnknownHostException(host);
    }

    @Override
    public InetAddress getLocalHost() {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return addr.getHostAddress();
    }
}
