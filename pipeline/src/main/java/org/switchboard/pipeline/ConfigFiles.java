package org.switchboard.pipeline;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the files a component names in its configuration are: one rule for every mailet, matcher and hook.
 * <ul>
 * <li>an absolute path ({@code /etc/switchboard/blocklist.txt}, or James' {@code file:///etc/...}) is that file;</li>
 * <li>any other name is relative to James' configuration directory, {@code conf/} of the server's folder:
 *     {@code disclaimer.txt}, or in James' own notation {@code file://conf/disclaimer.txt}, are both
 *     {@code conf/disclaimer.txt};</li>
 * <li>other notations ({@code file://var/...}, {@code classpath:...}, any {@code scheme:}) are refused: a file an
 *     administrator edits lives in {@code conf/} or at an absolute path.</li>
 * </ul>
 * The server's folder is James' {@code working.directory} (set by {@code bin/switchboard}); without it (a test, a
 * tool) the current directory.
 */
public final class ConfigFiles {
    private static final String JAMES_ABSOLUTE = "file:///";
    private static final String JAMES_CONF = "file://conf/";
    private static final String WORKING_DIRECTORY = "working.directory";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");

    private final Path confDirectory;

    public ConfigFiles(Path confDirectory) {
        this.confDirectory = Objects.requireNonNull(confDirectory, "confDirectory").toAbsolutePath().normalize();
    }

    /** The running server's {@code conf/} directory, as James computes it from {@code working.directory}. */
    public static ConfigFiles ofServer() {
        String working = System.getProperty(WORKING_DIRECTORY);
        Path root = working == null || working.isBlank() ? Path.of("") : Path.of(working);
        return new ConfigFiles(root.resolve("conf"));
    }

    public Path confDirectory() {
        return confDirectory;
    }

    /**
     * The file a configured name designates.
     *
     * @throws IllegalArgumentException naming the value, when it is not a file name by the rule above
     */
    public Path resolve(String name) {
        String value = name == null ? "" : name.trim();
        String path;
        if (value.startsWith(JAMES_ABSOLUTE)) {
            path = value.substring(JAMES_ABSOLUTE.length() - 1);
        } else if (value.startsWith(JAMES_CONF)) {
            path = value.substring(JAMES_CONF.length());
        } else if (SCHEME.matcher(value).lookingAt()) {
            throw new IllegalArgumentException("'" + value + "' is not a file name: write a path relative to "
                + confDirectory + " (or file://conf/NAME), or an absolute path");
        } else {
            path = value;
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' names no file");
        }
        try {
            return confDirectory.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + value + "' is not a file name: " + e.getMessage(), e);
        }
    }
}
