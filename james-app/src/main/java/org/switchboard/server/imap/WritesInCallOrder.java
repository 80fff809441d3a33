package org.switchboard.server.imap;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.Future;

/**
 * Keeps an IMAP connection's output in the order James issued it. Netty runs a write issued on the channel's event
 * loop at once, but queues one issued on any other thread as a task for the loop. James 3.8.1 writes a response from
 * whichever thread its reactive chain is on, and a command can change threads half-way: a FETCH whose literal was
 * written from another thread, then its closing {@code )} and tagged OK from the loop, sent {@code )} and OK before
 * the response's first line (seen under load: a FETCH answered by a lone {@code )}). This handler sits at the tail of
 * the pipeline on an executor that lets a write from the loop run at once only when no earlier write, flush or close
 * of this connection is still queued; otherwise it is queued behind them, so the output keeps the order of the calls.
 */
final class WritesInCallOrder extends ChannelOutboundHandlerAdapter {
    static final String NAME = "writes-in-call-order";

    static void addTo(Channel channel) {
        channel.pipeline().addLast(new LoopInCallOrder(channel.eventLoop()), NAME, new WritesInCallOrder());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ctx.connect(remote, local, promise);
    }

    /**
     * The channel's own event loop, current only on the loop's thread while none of the tasks given to it through
     * this executor waits: then running at once keeps the order (STARTTLS relies on it: its OK must go out before the
     * TLS handler is added, in the same loop task).
     */
    static final class LoopInCallOrder extends AbstractEventExecutor {
        private final EventLoop loop;
        private final AtomicInteger queued = new AtomicInteger();

        LoopInCallOrder(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public boolean inEventLoop(Thread thread) {
            return queued.get() == 0 && loop.inEventLoop(thread);
        }

        @Override
        public void execute(Runnable task) {
            loop.execute(counted(task));
        }

        @Override
        public void lazyExecute(Runnable task) {
            // the same queue as execute: only the wake-up differs, so order is kept
            if (loop instanceof AbstractEventExecutor) {
                ((AbstractEventExecutor) loop).lazyExecute(counted(task));
            } else {
                loop.execute(counted(task));
            }
        }

        private Runnable counted(Runnable task) {
            queued.incrementAndGet();
            return () -> {
                try {
                    task.run();
                } finally {
                    queued.decrementAndGet();
                }
            };
        }

        @Override
        public boolean isShuttingDown() {
            return loop.isShuttingDown();
        }

        @Override
        public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
            // the loop belongs to the server, which shuts it down
            return terminationFuture();
        }

        @Override
        public Future<?> terminationFuture() {
            return loop.terminationFuture();
        }

        @Override
        @Deprecated
        public void shutdown() {
            // the loop belongs to the server, which shuts it down
        }

        @Override
        public boolean isShutdown() {
            return loop.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return loop.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return loop.awaitTermination(timeout, unit);
        }
    }
}
