package org.switchboard.server.smtpc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.mailetcontainer.impl.JamesMailetContext;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.switchboard.pipeline.ConfigFiles;
import org.switchboard.pipeline.ReloadingFile;
import org.switchboard.server.smtpc.SmtpcSettings.HostAndPort;

/**
 * SMTPC, the output channel to other mail servers: reads {@code conf/smtpc.xml} (and the host table it names), then
 * runs the {@link OutboundDelivery} of SMTPC's queue until the server stops. ETRN and the JMX view ask it.
 */
public class SmtpcService implements Startable {
    private final ConfigurationProvider configuration;
    private final MailQueueFactory<?> queues;
    private final JamesMailetContext mailetContext;
    private OutboundDelivery delivery;

    @Inject
    public SmtpcService(ConfigurationProvider configuration, MailQueueFactory<?> queues, JamesMailetContext mailetContext) {
        this.configuration = configuration;
        this.queues = queues;
        this.mailetContext = mailetContext;
    }

    void start() throws ConfigurationException {
        SmtpcSettings settings = SmtpcSettings.from(configuration.getConfiguration("smtpc"), localHostName());
        ConfigFiles files = ConfigFiles.ofServer();
        ReloadingFile<HostTable> hostTable = null;
        if (settings.hostTable().isPresent()) {
            Path file = files.resolve(settings.hostTable().get());
            try {
                hostTable = ReloadingFile.load("SMTPC host table", file, path -> HostTable.parse(path, settings.remotePort()),
                    table -> table.entries().size() + " entries");
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("smtpc.xml: <hostTable>: " + e.getMessage());
            }
        }
        ReloadingFile<HostTable> table = hostTable;
        Clock clock = Clock.systemUTC();
        DnsLookup dns = new DnsLookup();
        Optional<RelayHosts> relays = settings.primaryRelay().map(primary -> new RelayHosts(hop(primary),
            settings.secondaryRelay().map(SmtpcService::hop), settings.relayCheckInterval(), settings.relayEtrn(),
            settings.relayEtrnEvery(), clock));
        MailRouting routing = new MailRouting(settings.routing(),
            () -> table == null ? new HostTable(Map.of()) : table.current(), dns, settings.remotePort(), relays);
        MailQueue queue = queues.createQueue(MailQueueName.of(settings.queue()));
        delivery = new OutboundDelivery(settings, queue, mailetContext, routing, clock);
        delivery.start();
    }

    private static Hop hop(HostAndPort relay) {
        return new Hop(relay.host(), relay.host(), relay.port());
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @PreDestroy
    public void stop() {
        if (delivery != null) {
            delivery.close();
        }
    }

    public List<String> channels() {
        return delivery.channels();
    }

    public List<ChannelState> channelStates() {
        return delivery.channelStates();
    }

    public int flush(String domain) {
        return delivery.flush(domain);
    }

    public int flushAll() {
        return delivery.flushAll();
    }

    /** ETRN domain: the number of mails started, or empty when the domain is not an ETRN domain. */
    public Optional<Integer> etrn(String domain) {
        return delivery.etrnDomain(domain);
    }

    /** ETRN @domain: the ETRN domains at or under it, with the number of mails started for each. */
    public Map<String, Integer> etrnSubdomains(String domain) {
        return delivery.etrnSubdomains(domain);
    }

    public Optional<QueuedMailState> queuedMail(String mailName) {
        return delivery.queuedMail(mailName);
    }
}
