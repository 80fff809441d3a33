package org.switchboard.server.mailbox.search;

import java.io.Reader;

import org.apache.james.mailbox.lucene.search.UpperCaseFilter;
import org.apache.lucene.analysis.ReusableAnalyzerBase;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.WhitespaceTokenizer;
import org.apache.lucene.util.Version;

/**
 * Text as the index holds it: the words between white space, upper-cased, and nothing else. No pairs of adjacent
 * words (James' analyzer adds up to four-word "shingles"): an RFC 3501 search matches any substring, so every search
 * is a leading-wildcard walk over the field's whole term dictionary, and pairs made that dictionary many times larger
 * (100,000 messages: SEARCH TEXT 7.8 s with pairs). A phrase is searched as its words, then checked against the
 * messages (see {@link IndexQueryAdapter}).
 */
final class WordAnalyzer extends ReusableAnalyzerBase {
    @Override
    protected TokenStreamComponents createComponents(String fieldName, Reader reader) {
        Tokenizer words = new WhitespaceTokenizer(Version.LUCENE_31, reader);
        return new TokenStreamComponents(words, new UpperCaseFilter(words));
    }
}
