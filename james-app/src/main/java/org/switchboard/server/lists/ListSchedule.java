package org.switchboard.server.lists;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.annotation.PreDestroy;

import org.apache.james.lifecycle.api.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A check of the Distribution List Manager that runs on a schedule, on a daemon thread of its own: every
 * {@link #PERIOD}, the first one a period after the start. A check catches and logs its own failures, so the next one
 * runs anyway.
 */
abstract class ListSchedule implements Startable {
    static final Duration PERIOD = Duration.ofMinutes(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(ListSchedule.class);

    private final String name;
    private ScheduledExecutorService executor;

    /** {@code name}: the thread's, and what the log calls the check. */
    ListSchedule(String name) {
        this.name = name;
    }

    /** One check; run on the schedule's thread. */
    abstract void check();

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::check, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        LOGGER.info("Lists: {} checked every {}", name, PERIOD);
    }

    /** Stops the checks; a check under way finishes first. */
    @PreDestroy
    public synchronized void stop() throws InterruptedException {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
            LOGGER.warn("Lists: a check of {} did not end within a minute", name);
        }
        executor = null;
    }
}
