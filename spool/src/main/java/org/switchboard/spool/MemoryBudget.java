package org.switchboard.spool;

import java.util.concurrent.atomic.AtomicLong;

/** Bytes of queued mail the queues may keep in memory besides the disk copy (one budget for all queues). */
final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    boolean tryReserve(long bytes) {
        long now = used.addAndGet(bytes);
        if (now > limit) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }
}
