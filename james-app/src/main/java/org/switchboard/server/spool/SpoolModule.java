package org.switchboard.server.spool;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.switchboard.spool.RocksDbMailQueueFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;

/** The spool and every mail queue of the server, on the RocksDB spool under {@code var/store/spool}. */
public class SpoolModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SpoolStore.class).in(Scopes.SINGLETON);
        // every dequeued mail carries the name of its spool entry (exactly-once delivery keys)
        bind(MailQueueItemDecoratorFactory.class).to(SpoolNameRecorder.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(SpoolStore spool) {
        return spool.queues();
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(SpoolStore spool) {
        return spool.queues();
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> plainQueues(SpoolStore spool) {
        return spool.queues();
    }

    @Provides
    @Singleton
    RocksDbMailQueueFactory rocksDbQueues(SpoolStore spool) {
        return spool.queues();
    }
}
