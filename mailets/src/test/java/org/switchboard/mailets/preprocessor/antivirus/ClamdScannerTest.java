package org.switchboard.mailets.preprocessor.antivirus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClamdScanner} through clamav-client against {@link FakeClamd}: verdicts, the engine cache, and the failures
 * that must hold mail (no clamd, no answer in time) or must not (a stream clamd refuses while it still answers).
 */
class ClamdScannerTest {
    private FakeClamd clamd;
    private ClamdScanner scanner;

    @BeforeEach
    void setUp() throws IOException {
        clamd = new FakeClamd();
        scanner = new ClamdScanner("127.0.0.1", clamd.port(), Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() throws IOException {
        scanner.close();
        clamd.close();
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void cleanStream() throws Exception {
        assertThat(scanner.scan(bytes("hello"))).isEqualTo(new VirusScanner.Verdict.Clean());
        assertThat(clamd.commands).contains("INSTREAM");
    }

    @Test
    void infectedStreamNamesTheSignature() throws Exception {
        assertThat(scanner.scan(bytes("xx INFECTED-MARKER xx")))
            .isEqualTo(new VirusScanner.Verdict.Infected(java.util.List.of(FakeClamd.SIGNATURE)));
    }

    @Test
    void engineIsClamdsVersionAskedOncePerMinute() throws Exception {
        assertThat(scanner.engine()).isEqualTo(FakeClamd.VERSION);
        assertThat(scanner.engine()).isEqualTo(FakeClamd.VERSION);

        assertThat(clamd.commands.stream().filter("VERSION"::equals)).hasSize(1);
    }

    @Test
    void noClamdListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (ClamdScanner nowhere = new ClamdScanner("127.0.0.1", port, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> nowhere.scan(bytes("hello")))
                .isInstanceOf(ScannerUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port);
            assertThatThrownBy(nowhere::engine).isInstanceOf(ScannerUnavailableException.class);
        }
    }

    @Test
    void unresolvableHostIsUnavailable() {
        try (ClamdScanner nowhere = new ClamdScanner("clamd.invalid", 3310, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> nowhere.scan(bytes("hello")))
                .isInstanceOf(ScannerUnavailableException.class)
                .hasMessageContaining("clamd.invalid");
        }
    }

    @Test
    void clamdThatDoesNotAnswerTimesOut() throws Exception {
        scanner.close();
        scanner = new ClamdScanner("127.0.0.1", clamd.port(), Duration.ofMillis(500));
        clamd.mode = FakeClamd.Mode.SILENT;
        long start = System.nanoTime();

        assertThatThrownBy(() -> scanner.scan(bytes("hello")))
            .isInstanceOf(ScannerUnavailableException.class)
            .hasMessageContaining("did not answer")
            .hasMessageContaining("500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void recoversWhenClamdAnswersAgain() throws Exception {
        scanner.close();
        scanner = new ClamdScanner("127.0.0.1", clamd.port(), Duration.ofMillis(500));
        clamd.mode = FakeClamd.Mode.SILENT;
        assertThatThrownBy(() -> scanner.scan(bytes("hello"))).isInstanceOf(ScannerUnavailableException.class);

        clamd.mode = FakeClamd.Mode.NORMAL;

        assertThat(scanner.scan(bytes("hello"))).isEqualTo(new VirusScanner.Verdict.Clean());
    }

    @Test
    void sizeLimitReplyIsARefusalNotAnOutage() throws Exception {
        clamd.mode = FakeClamd.Mode.SIZE_LIMIT_ERROR;

        assertThat(scanner.scan(bytes("hello"))).isInstanceOfSatisfying(VirusScanner.Verdict.Refused.class,
            refused -> assertThat(refused.reason()).contains("StreamMaxLength").contains("size limit exceeded"));
    }

    @Test
    void streamCutByAClamdThatStillAnswersIsARefusal() throws Exception {
        clamd.mode = FakeClamd.Mode.CLOSE_MID_STREAM;
        clamd.closeAfter = 4096;

        assertThat(scanner.scan(big())).isInstanceOfSatisfying(VirusScanner.Verdict.Refused.class,
            refused -> assertThat(refused.reason()).contains("StreamMaxLength"));
        assertThat(clamd.commands).contains("PING");
    }

    @Test
    void streamCutByAClamdThatGoesAwayIsAnOutage() {
        clamd.mode = FakeClamd.Mode.CLOSE_MID_STREAM_AND_DIE;
        clamd.closeAfter = 4096;

        assertThatThrownBy(() -> scanner.scan(big())).isInstanceOf(ScannerUnavailableException.class);
    }

    @Test
    void nonsenseFromClamdIsAnOutage() throws Exception {
        clamd.close();
        try (ServerSocket liar = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ClamdScanner confused = new ClamdScanner("127.0.0.1", liar.getLocalPort(), Duration.ofSeconds(5))) {
            Thread server = new Thread(() -> {
                for (int i = 0; i < 5; i++) {
                    try (var socket = liar.accept()) {
                        socket.getOutputStream().write("220 an SMTP server\r\n".getBytes(StandardCharsets.US_ASCII));
                        socket.shutdownOutput();
                        socket.getInputStream().readNBytes(16);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();

            assertThatThrownBy(() -> confused.scan(bytes("hello"))).isInstanceOf(ScannerUnavailableException.class);
        }
    }

    @Test
    void sanitizeKeepsPrintableAscii() {
        assertThat(ClamdScanner.sanitize(" Win.Test\r\nX-Evil: 1\u00e9 ")).isEqualTo("Win.Test??X-Evil: 1?");
    }

    /** Bigger than the socket buffers, so that the client is still writing when the connection is cut. */
    private static InputStream big() {
        byte[] data = new byte[16 * 1024 * 1024];
        Arrays.fill(data, (byte) 'a');
        return new ByteArrayInputStream(data);
    }
}
