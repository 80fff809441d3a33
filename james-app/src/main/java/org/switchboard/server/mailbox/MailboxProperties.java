package org.switchboard.server.mailbox;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** {@code conf/mailbox.properties}: the message store ({@link MailboxStoreKind}) and when its search index is written. */
final class MailboxProperties {
    static final String FILE = "mailbox.properties";
    static final String SEARCH_INDEX = "search.index";

    private MailboxProperties() {
    }

    /** The properties of the file in {@code confDirectory}; none when it is absent. */
    static Properties read(Path confDirectory) throws IOException {
        Properties properties = new Properties();
        Path file = confDirectory.resolve(FILE);
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return properties;
    }

    /** {@code search.index}: {@code first-search} (default) or {@code delivery}; true for the latter. */
    static boolean indexOnDelivery(Path confDirectory) throws IOException {
        String value = read(confDirectory).getProperty(SEARCH_INDEX, "first-search").trim();
        switch (value) {
            case "first-search":
                return false;
            case "delivery":
                return true;
            default:
                throw new IllegalArgumentException(confDirectory.resolve(FILE) + ": " + SEARCH_INDEX + "=" + value
                    + " is not a choice; use first-search (index a mailbox when it is first searched) or delivery"
                    + " (index every message as it is delivered)");
        }
    }
}
