package org.switchboard.server.mailbox.search;

import java.nio.file.Path;

/** Where the search index of the configured message store lives ({@code var/store/search-index/<store>}). */
public record SearchIndexDirectory(Path path) {
}
