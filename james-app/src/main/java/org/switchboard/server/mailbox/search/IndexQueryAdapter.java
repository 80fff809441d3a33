package org.switchboard.server.mailbox.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.AddressOperator;
import org.apache.james.mailbox.model.SearchQuery.ConjunctionCriterion;
import org.apache.james.mailbox.model.SearchQuery.ContainsOperator;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.model.SearchQuery.HeaderCriterion;
import org.apache.james.mailbox.model.SearchQuery.TextCriterion;

/**
 * Adapts an IMAP search to what the index holds, before James' Lucene index translates it.
 *
 * <ul>
 *   <li>Addresses with a display name ({@code From: Ann Lee <ann@example.org>}): James 3.8.1's index splits address
 *   fields on white space, so the address is the word {@code <ANN@EXAMPLE.ORG>} and its prefix query for
 *   {@code ann@example.org} misses it (JAMES-2590). An address criterion becomes "the address, or the address after
 *   a {@code <}".</li>
 *   <li>Phrases: the index holds words and pairs of adjacent words ({@link SwitchboardLuceneIndex#SHINGLE_SIZE}),
 *   so a string of three words or more becomes "each pair of its adjacent words" (every message containing the
 *   phrase matches; one containing the pairs apart also does, rarely).</li>
 * </ul>
 */
final class IndexQueryAdapter {
    private IndexQueryAdapter() {
    }

    static SearchQuery adapt(SearchQuery query) {
        return SearchQuery.builder()
            .andCriteria(query.getCriteria().stream().map(IndexQueryAdapter::adapt).toList())
            .sorts(query.getSorts())
            .addRecentMessageUids(query.getRecentMessageUids())
            .build();
    }

    private static Criterion adapt(Criterion criterion) {
        if (criterion instanceof ConjunctionCriterion conjunction) {
            return new ConjunctionCriterion(conjunction.getType(),
                conjunction.getCriteria().stream().map(IndexQueryAdapter::adapt).toList());
        }
        if (criterion instanceof HeaderCriterion header && header.getOperator() instanceof AddressOperator address
            && !address.getAddress().startsWith("<")) {
            SearchQuery.AddressType type = SearchQuery.AddressType.valueOf(header.getHeaderName());
            return SearchQuery.or(criterion, SearchQuery.address(type, "<" + address.getAddress()));
        }
        if (criterion instanceof HeaderCriterion header && header.getOperator() instanceof ContainsOperator contains) {
            return byPairs(criterion, contains.getValue(), pair -> SearchQuery.headerContains(header.getHeaderName(), pair));
        }
        if (criterion instanceof TextCriterion text && text.getType() == SearchQuery.Scope.BODY) {
            return byPairs(criterion, text.getOperator().getValue(), SearchQuery::bodyContains);
        }
        if (criterion instanceof TextCriterion text && text.getType() == SearchQuery.Scope.FULL) {
            return byPairs(criterion, text.getOperator().getValue(), SearchQuery::mailContains);
        }
        return criterion;
    }

    private static Criterion byPairs(Criterion original, String value, Function<String, Criterion> criterionOf) {
        String[] words = value.trim().split("\\s+");
        if (words.length <= SwitchboardLuceneIndex.SHINGLE_SIZE) {
            return original;
        }
        List<Criterion> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < words.length; i++) {
            pairs.add(criterionOf.apply(words[i] + " " + words[i + 1]));
        }
        return SearchQuery.and(pairs);
    }
}
