package org.switchboard.directory.routing;

/** The directory could not answer (connection, timeout, server error): the caller retries later. */
public class DirectoryUnavailableException extends Exception {
    public DirectoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
