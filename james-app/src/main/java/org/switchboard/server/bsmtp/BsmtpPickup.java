package org.switchboard.server.bsmtp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.Startable;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BSMTP decoder (spec: BSMTP Tunnel Decoder, input channel BSMTPIN): polls the POP3 accounts of
 * {@code conf/bsmtp.xml}, each at its interval and within its time window, on one thread of its own, and injects the
 * tunnelled transactions into the spool ({@link Pop3Pickup}, {@link TunnelInjector}). The UIDL database of each
 * account is a file {@code var/bsmtp/<account>.uidl}. Started with the server; stopped, started, polled at once and
 * read through JMX ({@link BsmtpPickupManagement}).
 */
@Singleton
public class BsmtpPickup implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BsmtpPickup.class);
    static final String UIDL_LOCATION = "file://var/bsmtp";

    private final ConfigurationProvider configurationProvider;
    private final FileSystem fileSystem;
    private final MailQueueFactory<?> queues;
    private final MailetContext mailetContext;
    private final Counters counters = new Counters();
    private final Map<String, String> lastResults = new LinkedHashMap<>();
    private List<Pop3Pickup> pickups = List.of();
    private List<UidlDatabase> databases = List.of();
    private ScheduledExecutorService executor;

    @Inject
    public BsmtpPickup(ConfigurationProvider configurationProvider, FileSystem fileSystem, MailQueueFactory<?> queues,
                       MailetContext mailetContext) {
        this.configurationProvider = configurationProvider;
        this.fileSystem = fileSystem;
        this.queues = queues;
        this.mailetContext = mailetContext;
    }

    /** Reads {@code conf/bsmtp.xml}, opens the UIDL databases, starts polling. */
    public synchronized void configure() throws ConfigurationException, IOException {
        Path conf = fileSystem.getFile("file://conf/").toPath();
        List<Pop3Account> accounts;
        try {
            accounts = BsmtpConfiguration.read(configurationProvider.getConfiguration("bsmtp"), conf);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        MailQueue spool = queues.createQueue(MailQueueFactory.SPOOL);
        TunnelInjector injector = new TunnelInjector(spool, mailetContext.getPostmaster());
        Path directory = fileSystem.getFile(UIDL_LOCATION).toPath();
        List<Pop3Pickup> configured = new ArrayList<>();
        List<UidlDatabase> opened = new ArrayList<>();
        for (Pop3Account account : accounts) {
            UidlDatabase database = UidlDatabase.open(directory.resolve(account.name() + ".uidl"));
            opened.add(database);
            configured.add(new Pop3Pickup(account, database, injector, counters));
        }
        pickups = List.copyOf(configured);
        databases = List.copyOf(opened);
        if (pickups.isEmpty()) {
            LOGGER.info("BSMTP decoder: no POP3 account in conf/bsmtp.xml, nothing to poll");
            return;
        }
        start();
    }

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bsmtp-pickup");
            thread.setDaemon(true);
            return thread;
        });
        for (Pop3Pickup pickup : pickups) {
            executor.scheduleWithFixedDelay(() -> pollInWindow(pickup), 0,
                pickup.account().interval().toMillis(), TimeUnit.MILLISECONDS);
            LOGGER.info("BSMTP decoder: polling {} every {}{}", pickup.account(), pickup.account().interval(),
                pickup.account().window().map(window -> " between " + window).orElse(""));
        }
    }

    /** Stops polling; a poll under way finishes first (at most a minute is waited for). */
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOGGER.warn("BSMTP decoder: a poll did not end within a minute; it goes on until its POP3 session ends");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
        LOGGER.info("BSMTP decoder stopped");
    }

    /** Polls every account now, outside its time window too, and waits for the result (at most 10 minutes). */
    public String pollNow() throws InterruptedException, ExecutionException, TimeoutException {
        Future<?> done;
        synchronized (this) {
            if (executor == null) {
                return "the BSMTP decoder is stopped: start it first";
            }
            done = executor.submit(() -> pickups.forEach(this::pollOnce));
        }
        done.get(10, TimeUnit.MINUTES);
        return status();
    }

    public synchronized boolean isRunning() {
        return executor != null;
    }

    public Counters counters() {
        return counters;
    }

    public synchronized String status() {
        StringBuilder status = new StringBuilder(isRunning() ? "running" : "stopped");
        status.append(", ").append(pickups.size()).append(" account(s); ").append(counters);
        synchronized (lastResults) {
            lastResults.forEach((account, result) -> status.append("; ").append(account).append(": ").append(result));
        }
        return status.toString();
    }

    private void pollInWindow(Pop3Pickup pickup) {
        if (pickup.account().window().map(window -> !window.contains(LocalTime.now())).orElse(false)) {
            return;
        }
        pollOnce(pickup);
    }

    private void pollOnce(Pop3Pickup pickup) {
        String result;
        try {
            pickup.poll();
            result = "last poll " + Instant.now() + " ok";
        } catch (MessagingException | IOException | GeneralSecurityException e) {
            // an unreachable server or a refused login is expected from time to time: one line, no stack trace
            counters.errors.incrementAndGet();
            result = "last poll " + Instant.now() + " failed: " + e.getMessage();
            LOGGER.warn("BSMTP decoder: polling {} failed, next try in {}: {}", pickup.account(),
                pickup.account().interval(), e.toString());
        } catch (RuntimeException e) {
            counters.errors.incrementAndGet();
            result = "last poll " + Instant.now() + " failed: " + e;
            LOGGER.error("BSMTP decoder: polling {} failed", pickup.account(), e);
        }
        synchronized (lastResults) {
            lastResults.put(pickup.account().name(), result);
        }
    }

    /** Closes the UIDL databases once polling has stopped. */
    @PreDestroy
    public synchronized void close() throws IOException {
        stop();
        for (UidlDatabase database : databases) {
            database.close();
        }
    }
}
