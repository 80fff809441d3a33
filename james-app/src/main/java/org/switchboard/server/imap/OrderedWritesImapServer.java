package org.switchboard.server.imap;

import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;

/** James' IMAP server whose connections keep their output in issue order ({@link WritesInCallOrder}). */
final class OrderedWritesImapServer extends IMAPServer {
    OrderedWritesImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor, ImapMetrics metrics,
                            GaugeRegistry gaugeRegistry) {
        super(decoder, encoder, processor, metrics, gaugeRegistry);
    }

    @Override
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        AbstractChannelPipelineFactory james = super.createPipelineFactory();
        return new AbstractChannelPipelineFactory<SocketChannel>(getFrameHandlerFactory(), getExecutorGroup()) {
            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                throw new UnsupportedOperationException("James' own pipeline factory creates the core handler");
            }

            @Override
            protected void initChannel(SocketChannel channel) {
                // James' initializer, added to the registered channel, builds its pipeline at once and removes itself
                channel.pipeline().addLast(james);
                WritesInCallOrder.addTo(channel);
            }
        };
    }
}
