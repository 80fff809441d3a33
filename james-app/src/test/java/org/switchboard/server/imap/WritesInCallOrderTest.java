package org.switchboard.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalChannel;

class WritesInCallOrderTest {
    private DefaultEventLoopGroup loops;
    private final List<Object> sent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        loops = new DefaultEventLoopGroup(1);
    }

    @AfterEach
    void tearDown() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** A channel whose output is recorded at the head of the pipeline, as the socket would receive it. */
    private Channel channel(boolean inCallOrder) throws Exception {
        Channel channel = new LocalChannel();
        loops.register(channel).sync();
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                sent.add(msg);
                promise.setSuccess();
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        });
        if (inCallOrder) {
            channel.eventLoop().submit(() -> WritesInCallOrder.addTo(channel)).sync();
        }
        return channel;
    }

    /** What James does when a command changes threads: part of a response written elsewhere, the rest on the loop. */
    private void writeFromAnotherThreadThenFromTheLoop(Channel channel) throws Exception {
        channel.eventLoop().submit(() -> {
            Thread storeThread = new Thread(() -> channel.writeAndFlush("* 84 FETCH (BODY[] {21}"));
            storeThread.start();
            storeThread.join();
            channel.writeAndFlush(")");
            return null;
        }).sync();
        channel.eventLoop().submit(() -> { }).sync();
    }

    @Test
    void nettyAloneSendsTheLoopsWriteFirst() throws Exception {
        writeFromAnotherThreadThenFromTheLoop(channel(false));

        assertThat(sent).containsExactly(")", "* 84 FETCH (BODY[] {21}");
    }

    @Test
    void writesLeaveInTheOrderTheyWereIssued() throws Exception {
        writeFromAnotherThreadThenFromTheLoop(channel(true));

        assertThat(sent).containsExactly("* 84 FETCH (BODY[] {21}", ")");
    }

    @Test
    void aWriteOnTheLoopWithNothingQueuedLeavesAtOnce() throws Exception {
        Channel channel = channel(true);

        // STARTTLS writes its OK and adds the TLS handler in one loop task: the OK must be out before that
        List<Object> sentWhenTheCallReturned = channel.eventLoop().submit(() -> {
            channel.writeAndFlush("a1 OK Begin TLS negotiation now");
            return List.copyOf(sent);
        }).get();

        assertThat(sentWhenTheCallReturned).containsExactly("a1 OK Begin TLS negotiation now");
    }

    @Test
    void aCloseWaitsForTheWritesBeforeIt() throws Exception {
        Channel channel = channel(true);
        List<String> events = new CopyOnWriteArrayList<>();
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
                events.add("close after " + sent);
                ctx.close(promise);
            }
        });

        channel.eventLoop().submit(() -> {
            Thread other = new Thread(() -> channel.writeAndFlush("* BYE"));
            other.start();
            other.join();
            channel.close();
            return null;
        }).sync();
        channel.closeFuture().await(5, TimeUnit.SECONDS);

        assertThat(events).containsExactly("close after [* BYE]");
    }
}
