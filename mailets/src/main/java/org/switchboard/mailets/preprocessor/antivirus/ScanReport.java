package org.switchboard.mailets.preprocessor.antivirus;

import java.util.List;
import java.util.Optional;

/**
 * What scanning one mail found: the first infection (scanning stops there), or why some of it could not be scanned
 * (too large, too deeply nested, unreadable), and how many streams went to the scanner.
 *
 * @param infection the first virus found, if any
 * @param unscannable why parts of the mail were not (completely) scanned; empty when all of it was
 * @param scans the number of streams sent to the scanner
 */
record ScanReport(Optional<Finding> infection, List<String> unscannable, int scans) {

    ScanReport {
        unscannable = List.copyOf(unscannable);
    }

    /**
     * A virus.
     *
     * @param signatures the names the scanner reported
     * @param where the part it was found in, e.g. {@code part 2 "invoice.zip" (application/zip)}
     */
    record Finding(List<String> signatures, String where) {
        Finding {
            signatures = List.copyOf(signatures);
        }
    }

    boolean complete() {
        return unscannable.isEmpty();
    }
}
