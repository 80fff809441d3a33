package org.switchboard.mailets.preprocessor.antivirus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scanner that finds the EICAR string and a binary marker in what it is given, and keeps every stream it read:
 * the tests see exactly what went to the scanner (decoded parts, the raw message, uuencoded files).
 */
final class FakeScanner implements VirusScanner {
    static final String EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    static final String EICAR_SIGNATURE = "Fake.Eicar.UNOFFICIAL";
    /** Bytes no transfer encoding leaves as they are: found only once decoded. */
    static final byte[] BINARY_MARKER = {0, (byte) 0xff, (byte) 0xfe, 'V', 'I', 'R', 'U', 'S', (byte) 0x80, 0};
    static final String BINARY_SIGNATURE = "Fake.Binary.UNOFFICIAL";
    static final String ENGINE = "FakeAV 1.0/42/Mon Nov 30 2026";

    final List<byte[]> scanned = new CopyOnWriteArrayList<>();
    volatile ScannerUnavailableException unavailable;
    volatile String refusal;
    volatile boolean closed;

    @Override
    public String engine() throws ScannerUnavailableException {
        if (unavailable != null) {
            throw unavailable;
        }
        return ENGINE;
    }

    @Override
    public Verdict scan(InputStream content) throws ScannerUnavailableException {
        if (unavailable != null) {
            throw unavailable;
        }
        byte[] bytes;
        try {
            bytes = content.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("ScanInput must not pass read errors on", e);
        }
        scanned.add(bytes);
        if (refusal != null) {
            return new Verdict.Refused(refusal);
        }
        if (indexOf(bytes, EICAR.getBytes(StandardCharsets.US_ASCII)) >= 0) {
            return new Verdict.Infected(List.of(EICAR_SIGNATURE));
        }
        if (indexOf(bytes, BINARY_MARKER) >= 0) {
            return new Verdict.Infected(List.of(BINARY_SIGNATURE));
        }
        return new Verdict.Clean();
    }

    boolean scannedExactly(byte[] expected) {
        return scanned.stream().anyMatch(bytes -> java.util.Arrays.equals(bytes, expected));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
    }
}
