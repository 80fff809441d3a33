package org.switchboard.mailets.preprocessor.antivirus;

import java.io.InputStream;
import java.util.List;

/**
 * A virus scanner: reads a stream to its end and says what it found. {@link ClamdScanner} is the real one (clamd over
 * TCP); tests use fakes.
 */
interface VirusScanner extends AutoCloseable {

    /** The engine and its signature version as the scanner reports them, e.g. {@code ClamAV 1.4.6/27500/Mon Nov 30}. */
    String engine() throws ScannerUnavailableException;

    /** Scans {@code content} (read to its end, not closed). */
    Verdict scan(InputStream content) throws ScannerUnavailableException;

    @Override
    void close();

    /** What a scan found. */
    sealed interface Verdict {
        record Clean() implements Verdict {
        }

        /** The signature names, as the scanner reported them (never empty). */
        record Infected(List<String> signatures) implements Verdict {
            public Infected {
                signatures = List.copyOf(signatures);
                if (signatures.isEmpty()) {
                    throw new IllegalArgumentException("an infection has a signature");
                }
            }
        }

        /**
         * The scanner works but would not scan this content (e.g. larger than clamd's StreamMaxLength): a property of
         * the content, so retrying later would not help.
         */
        record Refused(String reason) implements Verdict {
        }
    }
}
