package org.switchboard.spool;

import java.nio.file.Path;
import java.time.Clock;

import org.apache.james.queue.api.DelayedManageableMailQueueContract;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.PriorityManageableMailQueueContract;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** James' own contract for mail queues (plain, manageable, delayed, priority) against the RocksDB queue. */
class RocksDbMailQueueContractTest implements DelayedManageableMailQueueContract, PriorityManageableMailQueueContract {
    @TempDir
    Path directory;

    private RocksDbMailQueueFactory factory;
    private RocksDbMailQueue queue;

    @BeforeEach
    void open() throws Exception {
        factory = RocksDbMailQueueFactory.open(directory.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET);
        queue = factory.createQueue(MailQueueName.of("test"));
    }

    @AfterEach
    void close() {
        factory.close();
    }

    @Override
    public MailQueue getMailQueue() {
        return queue;
    }

    @Override
    public ManageableMailQueue getManageableMailQueue() {
        return queue;
    }
}
