package org.switchboard.server.mailbox.search;

import java.io.IOException;

import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.lucene.search.LenientImapSearchAnalyzer;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.store.Directory;

/**
 * James' Lucene index with settings of ours: segment merges run on the thread that writes (the indexing thread)
 * rather than on extra threads that would compete with deliveries for the cores; a search may return every message
 * of a mailbox (James stops at 100,000 by default); text is indexed as words and pairs of words, not up to four
 * (measured, 3,000 messages of 1-4 KB: 3.5 ms of CPU per message with four, 1.7 ms with two).
 */
final class SwitchboardLuceneIndex extends LuceneMessageSearchIndex {
    private static final double RAM_BUFFER_MB = 32;

    SwitchboardLuceneIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory, Directory directory,
                           MessageId.Factory messageIdFactory, SessionProvider sessionProvider) throws IOException {
        super(factory, mailboxIdFactory, directory, false, true, messageIdFactory, sessionProvider);
        // Lucene bounds the hits it collects by the number of documents, so this is "all"
        setMaxQueryResults(Integer.MAX_VALUE);
    }

    /** Words and pairs of adjacent words: half the indexing CPU of James' default (up to four), see {@link IndexQueryAdapter}. */
    static final int SHINGLE_SIZE = 2;

    @Override
    protected Analyzer createAnalyzer(boolean lenient) {
        return new LenientImapSearchAnalyzer(SHINGLE_SIZE);
    }

    @Override
    protected IndexWriterConfig createConfig(Analyzer analyzer, boolean dropIndexOnStart) {
        IndexWriterConfig config = super.createConfig(analyzer, dropIndexOnStart);
        config.setMergeScheduler(new SerialMergeScheduler());
        config.setRAMBufferSizeMB(RAM_BUFFER_MB);
        return config;
    }
}
