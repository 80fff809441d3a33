package org.switchboard.server.mailbox.search;

import java.io.IOException;

import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;

/**
 * James' Lucene index with settings of ours: segment merges run on one background thread of low priority
 * ({@link MeasuredMergeScheduler}: not on the indexing thread, which searches wait for); a search may return every message
 * of a mailbox (James stops at 100,000 by default); strings match anywhere in a word, as RFC 3501 asks; text is indexed
 * as single words ({@link WordAnalyzer}), not James' runs of up to four.
 */
final class SwitchboardLuceneIndex extends LuceneMessageSearchIndex {
    private static final double RAM_BUFFER_MB = 32;

    // created before the super constructor asks for the configuration: a static factory hands it over
    private static final ThreadLocal<MeasuredMergeScheduler> CREATING = new ThreadLocal<>();

    private final MeasuredMergeScheduler merges;

    static SwitchboardLuceneIndex open(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory, Directory directory,
                                       MessageId.Factory messageIdFactory, SessionProvider sessionProvider) throws IOException {
        CREATING.set(new MeasuredMergeScheduler());
        try {
            return new SwitchboardLuceneIndex(factory, mailboxIdFactory, directory, messageIdFactory, sessionProvider);
        } finally {
            CREATING.remove();
        }
    }

    private SwitchboardLuceneIndex(MailboxSessionMapperFactory factory, MailboxId.Factory mailboxIdFactory, Directory directory,
                           MessageId.Factory messageIdFactory, SessionProvider sessionProvider) throws IOException {
        super(factory, mailboxIdFactory, directory, false, true, messageIdFactory, sessionProvider);
        this.merges = CREATING.get();
        // Lucene bounds the hits it collects by the number of documents, so this is "all"
        setMaxQueryResults(Integer.MAX_VALUE);
        // RFC 3501: SEARCH BODY/TEXT/FROM... match any substring, not only word starts (a word glued to HTML markup,
        // "<b>banana</b>", or the domain of an address); James' own IMAP scripts for indexes expect it
        setEnableSuffixMatch(true);
    }

    @Override
    protected Analyzer createAnalyzer(boolean lenient) {
        return new WordAnalyzer();
    }

    @Override
    protected IndexWriterConfig createConfig(Analyzer analyzer, boolean dropIndexOnStart) {
        IndexWriterConfig config = super.createConfig(analyzer, dropIndexOnStart);
        MeasuredMergeScheduler merges = CREATING.get();
        config.setMergeScheduler(merges);
        config.setRAMBufferSizeMB(RAM_BUFFER_MB);
        return config;
    }

    /** CPU taken by segment merges since the index opened. */
    long mergeCpuMillis() {
        return merges.cpuMillis();
    }
}
