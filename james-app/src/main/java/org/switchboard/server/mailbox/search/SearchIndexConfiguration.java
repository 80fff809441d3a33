package org.switchboard.server.mailbox.search;

import java.nio.file.Path;

/**
 * Where the search index of the configured message store lives ({@code var/store/search-index/<store>}) and when
 * a mailbox's messages are indexed: as they are delivered ({@code search.index=delivery}), or only for mailboxes
 * that were searched once ({@code search.index=first-search}, the default: the first search indexes the mailbox,
 * later deliveries to it are indexed as they come; mailboxes nobody searches cost no indexing).
 */
public record SearchIndexConfiguration(Path directory, boolean indexOnDelivery) {
}
