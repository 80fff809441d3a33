package org.switchboard.server.mailbox.search;

import java.io.IOException;

import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.store.Directory;

/**
 * James' Lucene index with two settings of ours: segment merges run on the thread that writes (the indexing thread)
 * rather than on extra threads that would compete with deliveries for the cores, and a search may return every
 * message of a mailbox (James stops at 100,000 by default).
 */
final class SwitchboardLuceneIndex extends LuceneMessageSearchIndex {
    private static final double RAM_BUFFER_MB = 32;

    SwitchboardLuceneIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory, Directory directory,
                           MessageId.Factory messageIdFactory, SessionProvider sessionProvider) throws IOException {
        super(factory, mailboxIdFactory, directory, false, true, messageIdFactory, sessionProvider);
        // Lucene bounds the hits it collects by the number of documents, so this is "all"
        setMaxQueryResults(Integer.MAX_VALUE);
    }

    @Override
    protected IndexWriterConfig createConfig(Analyzer analyzer, boolean dropIndexOnStart) {
        IndexWriterConfig config = super.createConfig(analyzer, dropIndexOnStart);
        config.setMergeScheduler(new SerialMergeScheduler());
        config.setRAMBufferSizeMB(RAM_BUFFER_MB);
        return config;
    }
}
