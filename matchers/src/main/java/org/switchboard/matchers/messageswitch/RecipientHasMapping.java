package org.switchboard.matchers.messageswitch;

import java.util.Collection;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mappings;
import org.apache.mailet.Mail;
import org.switchboard.matchers.UnconditionalMatcher;

/**
 * Matches the recipients that James' recipient rewrite table rewrites: those with mappings (aliases, forwards, domain
 * and regex mappings, resolved as James' {@code RecipientRewriteTable} mailet resolves them), and those whose lookup
 * fails, so that the mailet reports the error. No condition.
 *
 * <p>Why: the mailet is a no-op for a recipient without mappings, but its cost grows with the square of the mail's
 * recipients (it merges one set per recipient), so a list post to 10,000 members spent most of its time there.
 * Guarded by this matcher, it sees only the few recipients it changes; the lookups themselves are the table's cached
 * ones.
 */
public class RecipientHasMapping extends UnconditionalMatcher {
    private final RecipientRewriteTable table;

    @Inject
    public RecipientHasMapping(RecipientRewriteTable table) {
        this.table = table;
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        return mail.getRecipients().stream().filter(this::rewritten).toList();
    }

    private boolean rewritten(MailAddress recipient) {
        try {
            Mappings mappings = table.getResolvedMappings(recipient.getLocalPart(), recipient.getDomain());
            return mappings != null && !mappings.isEmpty();
        } catch (RecipientRewriteTable.ErrorMappingException | RecipientRewriteTableException e) {
            return true;
        }
    }

    @Override
    public String getMatcherInfo() {
        return "RecipientHasMapping: recipients the recipient rewrite table rewrites (or cannot look up)";
    }
}
