package org.switchboard.mailets.preprocessor.antivirus;

/**
 * The scanner could not give a verdict (clamd down, not answering in time, answering nonsense): the mail must wait
 * for a later attempt, never go on unscanned.
 */
class ScannerUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    ScannerUnavailableException(String message) {
        super(message);
    }

    ScannerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
