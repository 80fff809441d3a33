package org.switchboard.server.spool;

import java.io.File;
import java.nio.file.Files;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.jms.ConnectionFactory;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.region.policy.PolicyEntry;
import org.apache.activemq.broker.region.policy.PolicyMap;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ActiveMQ broker that holds the spool and every mail queue, embedded in the server JVM.
 *
 * Unlike James' own {@code EmbeddedActiveMQ} it opens no TCP port (clients reach it through the in-VM transport
 * only) and it orders queues by JMS priority, which is how {@code MailPrioritySupport} priorities reach
 * consumers. Messages are persisted in a KahaDB journal under {@code var/store/activemq}, synced to disk
 * before the producer's send returns, so a mail acknowledged over SMTP survives a crash.
 */
public class EmbeddedSpoolBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(EmbeddedSpoolBroker.class);
    static final String BROKER_NAME = "switchboard";
    static final String STORE_LOCATION = "file://var/store/activemq";

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;

    @Inject
    EmbeddedSpoolBroker(FileSystem fileSystem) throws Exception {
        File storeDirectory = fileSystem.getFile(STORE_LOCATION);
        Files.createDirectories(storeDirectory.toPath());
        broker = new BrokerService();
        broker.setBrokerName(BROKER_NAME);
        broker.setPersistent(true);
        broker.setDataDirectoryFile(storeDirectory);
        broker.setPersistenceAdapter(kahaDb(new File(storeDirectory, "kahadb")));
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        broker.setAdvisorySupport(false);
        broker.setDestinationPolicy(priorityOrderedQueues());
        // ActiveMQ assumes 100 GB of disk and warns when there is less: allow the journal 90% of the free space.
        broker.getSystemUsage().getStoreUsage().setLimit(Math.max(storeDirectory.getUsableSpace(), 1L << 30) / 10 * 9);
        broker.start();
        if (!broker.waitUntilStarted()) {
            throw new IllegalStateException("The spool broker did not start; see the log for the KahaDB error");
        }
        LOGGER.info("Spool broker started, store in {}", storeDirectory);

        connectionFactory = new ActiveMQConnectionFactory("vm://" + BROKER_NAME + "?create=false");
        connectionFactory.setTrustAllPackages(false);
        // James' JMS queue consumers pull one message at a time: no message sits in a consumer's buffer.
        ActiveMQPrefetchPolicy prefetch = new ActiveMQPrefetchPolicy();
        prefetch.setQueuePrefetch(0);
        prefetch.setTopicPrefetch(0);
        connectionFactory.setPrefetchPolicy(prefetch);
    }

    private static KahaDBPersistenceAdapter kahaDb(File directory) {
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(directory);
        kahaDb.setJournalDiskSyncStrategy("always");
        kahaDb.setCheckForCorruptJournalFiles(true);
        kahaDb.setChecksumJournalFiles(true);
        return kahaDb;
    }

    private static PolicyMap priorityOrderedQueues() {
        PolicyEntry allQueues = new PolicyEntry();
        allQueues.setQueue(">");
        allQueues.setPrioritizedMessages(true);
        PolicyMap policies = new PolicyMap();
        policies.setDefaultEntry(allQueues);
        return policies;
    }

    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    @PreDestroy
    public void stop() throws Exception {
        broker.stop();
        broker.waitUntilStopped();
    }
}
