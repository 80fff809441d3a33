package org.switchboard.spool;

import java.nio.file.Path;
import java.time.Clock;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueFactoryContract;
import org.apache.james.queue.api.ManageableMailQueueFactoryContract;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** James' own contract for mail queue factories. */
class RocksDbMailQueueFactoryContractTest implements MailQueueFactoryContract<RocksDbMailQueue>,
    ManageableMailQueueFactoryContract<RocksDbMailQueue> {
    @TempDir
    Path directory;

    private RocksDbMailQueueFactory factory;

    @BeforeEach
    void open() throws Exception {
        factory = RocksDbMailQueueFactory.open(directory.resolve("spool"), new RawMailQueueItemDecoratorFactory(),
            Clock.systemUTC(), RocksDbMailQueueFactory.DEFAULT_MEMORY_BUDGET);
    }

    @AfterEach
    void close() {
        factory.close();
    }

    @Override
    public MailQueueFactory<RocksDbMailQueue> getMailQueueFactory() {
        return factory;
    }
}
