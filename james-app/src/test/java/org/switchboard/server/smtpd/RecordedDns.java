package org.switchboard.server.smtpd;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.net.InetAddresses;

/**
 * James' DNS service answering from records a test sets, the way {@code DNSJavaService} answers: A lookups throw
 * {@link UnknownHostException} for unknown names, PTR lookups give the address back when there is no record, TXT data
 * comes quoted. The interop tests run the same hooks against a real DNS server.
 */
public final class RecordedDns implements DNSService {
    private final Map<String, List<InetAddress>> a = new HashMap<>();
    private final Map<InetAddress, String> ptr = new HashMap<>();
    private final Map<String, List<String>> txt = new HashMap<>();

    RecordedDns a(String name, String... addresses) {
        for (String address : addresses) {
            a.computeIfAbsent(name, key -> new ArrayList<>()).add(InetAddresses.forString(address));
        }
        return this;
    }

    RecordedDns ptr(String address, String name) {
        ptr.put(InetAddresses.forString(address), name + ".");
        return this;
    }

    public RecordedDns txt(String name, String text) {
        txt.computeIfAbsent(name, key -> new ArrayList<>()).add("\"" + text + "\"");
        return this;
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
    public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return List.of(InetAddresses.forString(host));
        }
        List<InetAddress> addresses = a.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        return addresses;
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).iterator().next();
    }

    @Override
    public InetAddress getLocalHost() throws UnknownHostException {
        return InetAddress.getLoopbackAddress();
    }

    @Override
    public String getHostName(InetAddress addr) {
        return ptr.getOrDefault(addr, addr.getHostAddress());
    }
}
