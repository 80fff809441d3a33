package org.switchboard.mailets.preprocessor.antivirus;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import xyz.capybara.clamav.ClamavClient;
import xyz.capybara.clamav.CommunicationException;
import xyz.capybara.clamav.Platform;
import xyz.capybara.clamav.ScanFailureException;
import xyz.capybara.clamav.commands.scan.result.ScanResult;

/**
 * ClamAV's {@code clamd} over TCP through clamav-client: {@code INSTREAM} for scans, {@code VERSION} for the engine,
 * {@code PING} to tell an outage from a refused stream.
 *
 * <p>clamav-client 2.1.2 has no timeout (blocking connect and reads), so every call runs on a thread of this scanner
 * and the caller waits at most {@code timeout}; then the call is interrupted, which closes its socket channel.
 *
 * <p>clamd closes the connection when a stream exceeds its {@code StreamMaxLength}. clamav-client then fails while
 * writing and never reads clamd's "INSTREAM size limit exceeded" reply, so the failure looks like an outage; an outage
 * would hold the mail, and a too-large stream would be held forever. A stream that fails after some bytes while clamd
 * still answers {@code PING} is therefore reported as {@link Verdict.Refused refused}, not as an outage.
 */
final class ClamdScanner implements VirusScanner {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClamdScanner.class);
    /** clamd's signature version changes with each database reload: asked again after this long. */
    static final Duration ENGINE_CACHE = Duration.ofMinutes(1);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String host;
    private final int port;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "antivirus-clamd-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private ClamavClient client;
    private volatile CachedEngine engine;

    private record CachedEngine(String version, long fetchedAtNanos) {
    }

    ClamdScanner(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    String address() {
        return host + ":" + port;
    }

    @Override
    public String engine() throws ScannerUnavailableException {
        CachedEngine cached = engine;
        long now = System.nanoTime();
        if (cached != null && now - cached.fetchedAtNanos() < ENGINE_CACHE.toNanos()) {
            return cached.version();
        }
        ClamavClient clamd = client();
        String version = sanitize(call("VERSION", clamd::version, timeout));
        engine = new CachedEngine(version, now);
        return version;
    }

    @Override
    public Verdict scan(InputStream content) throws ScannerUnavailableException {
        ClamavClient clamd = client();
        CountingInputStream counted = new CountingInputStream(content);
        ScanResult result;
        try {
            result = call("INSTREAM", () -> clamd.scan(counted), timeout);
        } catch (ScannerUnavailableException e) {
            String reply = errorReply(e);
            if (reply != null && reply.contains("size limit exceeded")) {
                return new Verdict.Refused("clamd refused the stream (\"" + reply + "\"): its StreamMaxLength is"
                    + " smaller than maxScanSize");
            }
            if (isCommunicationFailure(e) && counted.count() > 0 && answersPing(clamd)) {
                LOGGER.warn("clamd at {} closed the connection after {} bytes of a stream but answers PING: most likely"
                    + " its StreamMaxLength is smaller than maxScanSize ({})", address(), counted.count(), e.getMessage());
                return new Verdict.Refused("clamd closed the connection after " + counted.count() + " bytes although"
                    + " it answers: its StreamMaxLength is probably smaller than maxScanSize");
            }
            throw e;
        }
        if (result instanceof ScanResult.VirusFound found) {
            List<String> signatures = new ArrayList<>();
            found.getFoundViruses().values().forEach(names -> names.forEach(name -> signatures.add(sanitize(name))));
            if (signatures.isEmpty()) {
                throw new ScannerUnavailableException("clamd at " + address() + " reported a virus without a name");
            }
            return new Verdict.Infected(signatures);
        }
        if (result instanceof ScanResult.OK) {
            return new Verdict.Clean();
        }
        throw new ScannerUnavailableException("clamd at " + address() + " answered " + result);
    }

    private boolean answersPing(ClamavClient clamd) {
        try {
            call("PING", () -> {
                clamd.ping();
                return Boolean.TRUE;
            }, PING_TIMEOUT.compareTo(timeout) < 0 ? PING_TIMEOUT : timeout);
            return true;
        } catch (ScannerUnavailableException e) {
            return false;
        }
    }

    /**
     * One clamav-client instance (it learns clamd's command list once); forgotten after a failure, so that a restarted
     * clamd or a changed address is picked up.
     */
    private synchronized ClamavClient client() throws ScannerUnavailableException {
        if (client == null) {
            InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new ScannerUnavailableException("cannot resolve the clamd host " + host);
            }
            client = new ClamavClient(address, Platform.JVM_PLATFORM);
        }
        return client;
    }

    private synchronized void forgetClient() {
        client = null;
    }

    private <T> T call(String command, Callable<T> action, Duration limit) throws ScannerUnavailableException {
        Future<T> future;
        try {
            future = executor.submit(action);
        } catch (RuntimeException rejected) {
            throw new ScannerUnavailableException("the anti-virus scanner is shut down", rejected);
        }
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            forgetClient();
            throw new ScannerUnavailableException("clamd at " + address() + " did not answer " + command + " within "
                + limit.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ScannerUnavailableException("interrupted while waiting for clamd at " + address(), e);
        } catch (ExecutionException e) {
            forgetClient();
            throw new ScannerUnavailableException("clamd at " + address() + " failed on " + command + ": "
                + describe(e.getCause()), e.getCause());
        }
    }

    /** clamav-client wraps everything in ClamavException: the innermost message tells what happened. */
    private static String describe(Throwable failure) {
        Throwable deepest = failure;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage();
        return deepest.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    private static boolean isCommunicationFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CommunicationException || cause instanceof IOException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** clamd's own "... ERROR" reply, when clamav-client read one. */
    private static String errorReply(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ScanFailureException) {
                return sanitize(String.valueOf(cause.getMessage()));
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** clamd's words go into headers and logs: printable ASCII only, bounded. */
    static String sanitize(String text) {
        StringBuilder clean = new StringBuilder();
        for (char c : text.trim().toCharArray()) {
            clean.append(c >= 0x20 && c < 0x7f ? c : '?');
            if (clean.length() >= 200) {
                break;
            }
        }
        return clean.toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** How many bytes clamav-client took from the stream. */
    private static final class CountingInputStream extends FilterInputStream {
        private volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
