package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.MergePolicy;

/**
 * Segment merges on one background thread, so that a large merge never holds up the indexing thread
 * (and with it the searches waiting for it), with the CPU they take counted for the log.
 */
final class MeasuredMergeScheduler extends ConcurrentMergeScheduler {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final AtomicLong cpuNanos = new AtomicLong();

    MeasuredMergeScheduler() {
        setMaxThreadCount(1);
    }

    @Override
    protected void doMerge(MergePolicy.OneMerge merge) throws IOException {
        long start = THREADS.getCurrentThreadCpuTime();
        try {
            super.doMerge(merge);
        } finally {
            cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - start);
        }
    }

    long cpuMillis() {
        return cpuNanos.get() / 1_000_000;
    }
}
