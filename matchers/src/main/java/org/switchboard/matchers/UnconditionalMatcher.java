package org.switchboard.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.base.GenericMatcher;

/** A matcher that takes no condition: one given fails start-up with a message naming the matcher. */
public abstract class UnconditionalMatcher extends GenericMatcher {
    @Override
    public void init() throws MessagingException {
        if (getCondition() != null && !getCondition().isBlank()) {
            throw new MessagingException(getMatcherName() + ": takes no condition, got '" + getCondition() + "'");
        }
    }
}
