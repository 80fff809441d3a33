package org.switchboard.server.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.message.response.ContinuationResponse;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.junit.jupiter.api.Test;

class SerializedResponderTest {
    private static final int THREADS = 8;
    private static final int WRITES = 2_000;

    /** Stands for James' response composer: not thread-safe, so it counts the writers inside it at once. */
    private static final class CountingResponder implements Responder {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void respond(ImapResponseMessage message) {
            enter();
        }

        @Override
        public void flush() {
            enter();
        }

        private void enter() {
            if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            // stay inside a little, as encoding a response does
            for (int i = 0; i < 50; i++) {
                Thread.onSpinWait();
            }
            calls.incrementAndGet();
            inside.decrementAndGet();
        }
    }

    @Test
    void responsesBeforeOpenAreKeptInOrderAndWrittenAtOpen() {
        List<String> written = new ArrayList<>();
        Responder composer = new Responder() {
            @Override
            public void respond(ImapResponseMessage message) {
                written.add(message.toString());
            }

            @Override
            public void flush() {
                written.add("flush");
            }
        };
        SerializedResponder serialized = new SerializedResponder(composer);
        serialized.respond(named("+ Idling"));
        serialized.flush();
        serialized.respond(named("* 3 EXISTS"));
        assertThat(written).as("nothing reaches the composer before open").isEmpty();

        serialized.open();
        serialized.respond(named("i OK"));
        serialized.flush();
        assertThat(written).containsExactly("+ Idling", "* 3 EXISTS", "flush", "i OK", "flush");
    }

    @Test
    void theContinuationKeptAfterAnEventIsWrittenFirst() {
        List<String> written = new ArrayList<>();
        Responder composer = new Responder() {
            @Override
            public void respond(ImapResponseMessage message) {
                written.add(message instanceof ContinuationResponse ? "+ Idling" : message.toString());
            }

            @Override
            public void flush() {
                written.add("flush");
            }
        };
        SerializedResponder serialized = new SerializedResponder(composer);
        // IDLE listens before it answers: a delivery in between is kept before the continuation
        serialized.respond(named("* 256 EXISTS"));
        serialized.respond(new ContinuationResponse(HumanReadableText.IDLING));
        serialized.respond(named("* 257 EXISTS"));

        serialized.open();
        assertThat(written).containsExactly("+ Idling", "* 256 EXISTS", "* 257 EXISTS", "flush");
    }

    private static ImapResponseMessage named(String text) {
        return new ImapResponseMessage() {
            @Override
            public String toString() {
                return text;
            }
        };
    }

    @Test
    void concurrentWritersNeverOverlapInTheDelegate() throws Exception {
        CountingResponder composer = new CountingResponder();
        SerializedResponder serialized = new SerializedResponder(composer);
        serialized.open();
        ImapResponseMessage message = new ImapResponseMessage() {
        };

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            writers.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < WRITES; i++) {
                    serialized.respond(message);
                    serialized.flush();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> writer : writers) {
            writer.get();
        }
        pool.shutdown();

        // open() flushed once
        assertThat(composer.calls).hasValue(THREADS * WRITES * 2 + 1);
        assertThat(composer.overlaps).as("writes that overlapped in the composer").hasValue(0);
    }
}
