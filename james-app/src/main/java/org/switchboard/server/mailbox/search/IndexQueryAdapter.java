package org.switchboard.server.mailbox.search;

import java.util.List;
import java.util.function.Function;

import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.AddressOperator;
import org.apache.james.mailbox.model.SearchQuery.ConjunctionCriterion;
import org.apache.james.mailbox.model.SearchQuery.ContainsOperator;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.model.SearchQuery.HeaderCriterion;
import org.apache.james.mailbox.model.SearchQuery.SubjectCriterion;
import org.apache.james.mailbox.model.SearchQuery.TextCriterion;

/**
 * Adapts an IMAP search to what the index holds, single words ({@link WordAnalyzer}), before James' Lucene index
 * translates it.
 *
 * A string of several words ({@code SUBJECT "budget review"}, {@code FROM "Ann Lee"}, {@code TEXT "see the sheet"})
 * becomes "each of its words": every message containing the phrase matches, and so may one with the words apart.
 * Such a query is therefore {@link Fidelity#SUPERSET}: its hits must be checked against the messages. Under a
 * negation ({@code NOT}, {@code OR}'s complement) a superset would drop right answers, so such a query is
 * {@link Fidelity#STORE_ONLY}: the store answers it.
 */
final class IndexQueryAdapter {
    enum Fidelity {
        /** The index's answer is the answer. */
        EXACT,
        /** The index's answer holds every right one, and maybe more: check each against its message. */
        SUPERSET,
        /** The index cannot answer it (a phrase under a negation). */
        STORE_ONLY
    }

    record Adapted(SearchQuery query, Fidelity fidelity) {
    }

    private IndexQueryAdapter() {
    }

    static Adapted adapt(SearchQuery query) {
        Walk walk = new Walk();
        SearchQuery adapted = SearchQuery.builder()
            .andCriteria(query.getCriteria().stream().map(criterion -> walk.adapt(criterion, false)).toList())
            .sorts(query.getSorts())
            .addRecentMessageUids(query.getRecentMessageUids())
            .build();
        return new Adapted(adapted, walk.fidelity);
    }

    private static final class Walk {
        private Fidelity fidelity = Fidelity.EXACT;

        Criterion adapt(Criterion criterion, boolean negated) {
            if (criterion instanceof ConjunctionCriterion conjunction) {
                boolean negatesItsParts = conjunction.getType() == SearchQuery.Conjunction.NOR;
                return new ConjunctionCriterion(conjunction.getType(), conjunction.getCriteria().stream()
                    .map(part -> adapt(part, negated ^ negatesItsParts)).toList());
            }
            if (criterion instanceof HeaderCriterion header && header.getOperator() instanceof AddressOperator address) {
                SearchQuery.AddressType type = SearchQuery.AddressType.valueOf(header.getHeaderName());
                return byWords(criterion, address.getAddress(), word -> SearchQuery.address(type, word), negated);
            }
            if (criterion instanceof HeaderCriterion header && header.getOperator() instanceof ContainsOperator contains) {
                return byWords(criterion, contains.getValue(), word -> SearchQuery.headerContains(header.getHeaderName(), word), negated);
            }
            if (criterion instanceof SubjectCriterion subject) {
                // IMAP SUBJECT (James' SearchProcessor)
                return byWords(criterion, subject.getSubject(), SearchQuery::subject, negated);
            }
            if (criterion instanceof TextCriterion text && text.getType() == SearchQuery.Scope.BODY) {
                return byWords(criterion, text.getOperator().getValue(), SearchQuery::bodyContains, negated);
            }
            if (criterion instanceof TextCriterion text && text.getType() == SearchQuery.Scope.FULL) {
                return byWords(criterion, text.getOperator().getValue(), SearchQuery::mailContains, negated);
            }
            return criterion;
        }

        private Criterion byWords(Criterion original, String value, Function<String, Criterion> criterionOf, boolean negated) {
            List<String> words = List.of(value.trim().split("\\s+"));
            if (words.size() <= 1) {
                return original;
            }
            if (negated) {
                fidelity = Fidelity.STORE_ONLY;
                return original;
            }
            if (fidelity == Fidelity.EXACT) {
                fidelity = Fidelity.SUPERSET;
            }
            return SearchQuery.and(words.stream().map(criterionOf).toList());
        }
    }
}
