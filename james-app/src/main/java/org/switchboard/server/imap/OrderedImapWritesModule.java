package org.switchboard.server.imap;

import javax.inject.Provider;
import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServerFactory;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

/** Overrides James' IMAP server factory with {@link OrderedWritesImapServerFactory} (over James' IMAPServerModule). */
public final class OrderedImapWritesModule extends AbstractModule {
    @Provides
    @Singleton
    IMAPServerFactory orderedWritesServerFactory(FileSystem fileSystem, Provider<ImapDecoder> decoder,
                                                 Provider<ImapEncoder> encoder, Provider<ImapProcessor> processor,
                                                 MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        return new OrderedWritesImapServerFactory(fileSystem, decoder, encoder, processor, metricFactory, gaugeRegistry);
    }
}
