package org.switchboard.server.directory;

import javax.inject.Inject;

import org.apache.james.lifecycle.api.StartUpCheck;

/**
 * Holds James' start until the directory runs: the embedded ApacheDS starts beside James' own initialisation
 * ({@link DirectoryConnection#startInBackground}), and James runs its start-up checks before anything opens a
 * listener or takes mail from the spool. A directory that did not start fails the check with its start-up error.
 */
public class DirectoryStartedCheck implements StartUpCheck {
    static final String NAME = "directory-started";

    private final DirectoryConnection connection;

    @Inject
    public DirectoryStartedCheck(DirectoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public CheckResult check() {
        try {
            connection.awaitStarted();
            return CheckResult.builder().checkName(NAME).resultType(ResultType.GOOD).build();
        } catch (EmbeddedDirectoryServer.DirectoryStartupException e) {
            return CheckResult.builder().checkName(NAME).resultType(ResultType.BAD).description(e.getMessage()).build();
        }
    }

    @Override
    public String checkName() {
        return NAME;
    }
}
