package org.switchboard.server.spool;

import javax.jms.ConnectionFactory;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQHealthCheck;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.ManageableMailQueue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

/** The spool and all mail queues, on the embedded persistent ActiveMQ broker. */
public class ActiveMqSpoolModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(EmbeddedSpoolBroker.class).in(Scopes.SINGLETON);
        // every dequeued mail carries the name of its spool entry (exactly-once delivery keys)
        bind(MailQueueItemDecoratorFactory.class).to(SpoolNameRecorder.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(ActiveMQHealthCheck.class);
    }

    @Provides
    @Singleton
    ConnectionFactory connectionFactory(EmbeddedSpoolBroker broker) {
        return broker.connectionFactory();
    }

    @Provides
    @Singleton
    ActiveMQMailQueueFactory queueFactory(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decoratorFactory,
                                          MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        ActiveMQMailQueueFactory factory = new ActiveMQMailQueueFactory(connectionFactory, decoratorFactory, metricFactory,
            gaugeRegistry, new ActiveMQMetricCollectorNoop());
        // The whole message goes into the KahaDB journal, which is synced on every send; blob messages would sit
        // in separate files that are never synced.
        factory.setUseBlobMessages(false);
        factory.setUseJMX(true);
        factory.init();
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableQueues(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> queues(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> plainQueues(ActiveMQMailQueueFactory factory) {
        return factory;
    }
}
