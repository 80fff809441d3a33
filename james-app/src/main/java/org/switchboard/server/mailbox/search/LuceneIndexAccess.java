package org.switchboard.server.mailbox.search;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.lucene.search.LuceneMessageSearchIndex;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field.Index;
import org.apache.lucene.document.Field.Store;
import org.apache.lucene.document.MapFieldSelector;
import org.apache.lucene.document.NumericField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;

/**
 * The few writes James' {@link LuceneMessageSearchIndex} 3.8.1 does not offer at the cost we need: its documents by
 * term (one message's two documents), its flags document rewritten from the store's flags without a reader per
 * message, and every (UID, flags) pair of one mailbox in one pass (to compare with the store after a crash).
 *
 * James keeps the {@link IndexWriter} private and opens a near-real-time reader for each message whose flags change;
 * so this class takes the writer by reflection (pinned James version; {@code LuceneIndexAccessTest} fails on a
 * change) and writes the flags document in James' layout: fields {@code id = flags-<mailbox>-<uid>},
 * {@code mailboxid}, {@code uid}, {@code flags}, with {@code \FLAG} standing for \Seen as James writes it.
 */
final class LuceneIndexAccess {
    private static final String ID_FIELD = "id";
    private static final String MAILBOX_ID_FIELD = "mailboxid";
    private static final String UID_FIELD = "uid";
    private static final String FLAGS_FIELD = "flags";
    /** Field of the marker documents of mailboxes indexed in full (no James query names it). */
    private static final String INDEXED_MAILBOX_FIELD = "switchboard-indexed-mailbox";

    private final IndexWriter writer;

    private LuceneIndexAccess(IndexWriter writer) {
        this.writer = writer;
    }

    static LuceneIndexAccess of(LuceneMessageSearchIndex index) {
        try {
            Field field = LuceneMessageSearchIndex.class.getDeclaredField("writer");
            field.setAccessible(true);
            return new LuceneIndexAccess((IndexWriter) field.get(index));
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("James' LuceneMessageSearchIndex no longer keeps its IndexWriter in 'writer'", e);
        }
    }

    IndexWriter writer() {
        return writer;
    }

    /** Removes the message document and the flags document of one message, if any. */
    void deleteMessage(MailboxId mailboxId, MessageUid uid) throws IOException {
        writer.deleteDocuments(messageTerm(mailboxId, uid), flagsTerm(mailboxId, uid));
    }

    /** Replaces the flags document of one message by one holding {@code flags}. */
    void writeFlags(MailboxId mailboxId, MessageUid uid, Flags flags) throws IOException {
        writer.updateDocument(flagsTerm(mailboxId, uid), flagsDocument(mailboxId, uid, flags));
    }

    /**
     * Notes that every message of the mailbox is in the index: a document committed with the messages it vouches
     * for, so that a crash loses both or neither.
     */
    void markIndexed(MailboxId mailboxId) throws IOException {
        Document doc = new Document();
        doc.add(new org.apache.lucene.document.Field(ID_FIELD, indexedTerm(mailboxId).text(), Store.NO, Index.NOT_ANALYZED));
        doc.add(new org.apache.lucene.document.Field(INDEXED_MAILBOX_FIELD, mailboxId.serialize(), Store.YES, Index.NOT_ANALYZED));
        writer.updateDocument(indexedTerm(mailboxId), doc);
    }

    void unmarkIndexed(MailboxId mailboxId) throws IOException {
        writer.deleteDocuments(indexedTerm(mailboxId));
    }

    /** The mailboxes marked by {@link #markIndexed}, as serialized ids. */
    List<String> indexedMailboxes() throws IOException {
        try (IndexSearcher searcher = new IndexSearcher(IndexReader.open(writer, true))) {
            List<Integer> docs = matching(searcher, new PrefixQuery(new Term(INDEXED_MAILBOX_FIELD, "")));
            MapFieldSelector fields = new MapFieldSelector(INDEXED_MAILBOX_FIELD);
            List<String> ids = new ArrayList<>();
            for (int doc : docs) {
                ids.add(searcher.doc(doc, fields).get(INDEXED_MAILBOX_FIELD));
            }
            return ids;
        }
    }

    private static Term indexedTerm(MailboxId mailboxId) {
        return new Term(ID_FIELD, "indexed-mailbox-" + mailboxId.serialize());
    }

    private static List<Integer> matching(IndexSearcher searcher, org.apache.lucene.search.Query query) throws IOException {
        List<Integer> docs = new ArrayList<>();
        searcher.search(query, new Collector() {
            private int base;

            @Override
            public void setScorer(Scorer scorer) {
            }

            @Override
            public void collect(int doc) {
                docs.add(base + doc);
            }

            @Override
            public void setNextReader(IndexReader reader, int docBase) {
                base = docBase;
            }

            @Override
            public boolean acceptsDocsOutOfOrder() {
                return true;
            }
        });
        return docs;
    }

    /** The flags of every message of the mailbox as indexed, uncommitted changes included. */
    Map<MessageUid, Flags> indexedFlags(MailboxId mailboxId) throws IOException {
        try (IndexSearcher searcher = new IndexSearcher(IndexReader.open(writer, true))) {
            BooleanQuery query = new BooleanQuery();
            query.add(new TermQuery(new Term(MAILBOX_ID_FIELD, mailboxId.serialize())), BooleanClause.Occur.MUST);
            query.add(new PrefixQuery(new Term(FLAGS_FIELD, "")), BooleanClause.Occur.MUST);
            List<Integer> docs = matching(searcher, query);
            MapFieldSelector fields = new MapFieldSelector(UID_FIELD, FLAGS_FIELD);
            Map<MessageUid, Flags> flags = new HashMap<>();
            for (int doc : docs) {
                Document document = searcher.doc(doc, fields);
                Flags messageFlags = new Flags();
                for (String value : document.getValues(FLAGS_FIELD)) {
                    messageFlags.add(flagOf(value));
                }
                flags.merge(MessageUid.of(Long.parseLong(document.get(UID_FIELD))), messageFlags, (a, b) -> {
                    a.add(b);
                    return a;
                });
            }
            return flags;
        }
    }

    private static Term messageTerm(MailboxId mailboxId, MessageUid uid) {
        return new Term(ID_FIELD, mailboxId.serialize().toUpperCase(Locale.US) + "-" + uid.asLong());
    }

    private static Term flagsTerm(MailboxId mailboxId, MessageUid uid) {
        return new Term(ID_FIELD, "flags-" + mailboxId.serialize() + "-" + uid.asLong());
    }

    private static Document flagsDocument(MailboxId mailboxId, MessageUid uid, Flags flags) {
        Document doc = new Document();
        doc.add(new org.apache.lucene.document.Field(ID_FIELD, flagsTerm(mailboxId, uid).text(), Store.YES, Index.NOT_ANALYZED));
        doc.add(new org.apache.lucene.document.Field(MAILBOX_ID_FIELD, mailboxId.serialize(), Store.YES, Index.NOT_ANALYZED));
        doc.add(new NumericField(UID_FIELD, Store.YES, true).setLongValue(uid.asLong()));
        Flags.Flag[] systemFlags = flags.getSystemFlags();
        String[] userFlags = flags.getUserFlags();
        for (Flags.Flag flag : systemFlags) {
            doc.add(new org.apache.lucene.document.Field(FLAGS_FIELD, nameOf(flag), Store.YES, Index.NOT_ANALYZED));
        }
        for (String flag : userFlags) {
            doc.add(new org.apache.lucene.document.Field(FLAGS_FIELD, flag, Store.YES, Index.NOT_ANALYZED));
        }
        if (systemFlags.length == 0 && userFlags.length == 0) {
            // a flags document must hold a flags term: James finds flags documents by the prefix query flags:""
            doc.add(new org.apache.lucene.document.Field(FLAGS_FIELD, "", Store.NO, Index.NOT_ANALYZED));
        }
        return doc;
    }

    private static String nameOf(Flags.Flag flag) {
        if (flag == Flags.Flag.ANSWERED) {
            return "\\ANSWERED";
        } else if (flag == Flags.Flag.DELETED) {
            return "\\DELETED";
        } else if (flag == Flags.Flag.DRAFT) {
            return "\\DRAFT";
        } else if (flag == Flags.Flag.FLAGGED) {
            return "\\FLAGGED";
        } else if (flag == Flags.Flag.RECENT) {
            return "\\RECENT";
        } else if (flag == Flags.Flag.SEEN) {
            return "\\FLAG";
        }
        throw new IllegalArgumentException("not a system flag: " + flag);
    }

    private static Flags flagOf(String indexed) {
        switch (indexed) {
            case "\\ANSWERED":
                return new Flags(Flags.Flag.ANSWERED);
            case "\\DELETED":
                return new Flags(Flags.Flag.DELETED);
            case "\\DRAFT":
                return new Flags(Flags.Flag.DRAFT);
            case "\\FLAGGED":
                return new Flags(Flags.Flag.FLAGGED);
            case "\\RECENT":
                return new Flags(Flags.Flag.RECENT);
            case "\\FLAG":
                return new Flags(Flags.Flag.SEEN);
            default:
                return new Flags(indexed);
        }
    }
}
