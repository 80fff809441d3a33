package org.switchboard.mailets.lists;

import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.switchboard.directory.routing.DirectoryUnavailableException;

/**
 * What a one-click unsubscribe link does (RFC 8058): with the token of the member and list
 * ({@link UnsubscribeTokens}), the member leaves the list in the directory and gets the goodbye notice a mailed
 * unsubscription gets. A wrong token changes nothing.
 */
public class OneClickUnsubscribe {
    private static final Logger LOGGER = LoggerFactory.getLogger(OneClickUnsubscribe.class);

    /** What came of a request. */
    public enum Outcome {
        /** The member left the list. */
        UNSUBSCRIBED,
        /** The token is right but the address is no member (any more): nothing to do, as RFC 8058 wants it. */
        NOT_A_MEMBER,
        /** No such list, or not the token of this member and list: nothing changed. */
        FORBIDDEN
    }

    private final ListDirectory directory;
    private final UnsubscribeTokens tokens;
    private final MailetContext context;

    @Inject
    public OneClickUnsubscribe(ListDirectory directory, UnsubscribeTokens tokens, MailetContext context) {
        this.directory = directory;
        this.tokens = tokens;
        this.context = context;
    }

    public Outcome unsubscribe(MailAddress listAddress, MailAddress member, String token)
        throws DirectoryUnavailableException, MessagingException {
        // the token first: without it, nobody learns whether a list or a member exists
        if (!tokens.verify(listAddress, member, token)) {
            LOGGER.warn("Lists: one-click unsubscription of {} from {} with a wrong token; nothing done",
                member.asString(), listAddress.asString());
            return Outcome.FORBIDDEN;
        }
        Optional<DistributionList> list = directory.find(listAddress);
        if (list.isEmpty()) {
            return Outcome.FORBIDDEN;
        }
        if (!directory.removeMember(list.get(), member)) {
            return Outcome.NOT_A_MEMBER;
        }
        LOGGER.info("Lists: {} left {} by one-click unsubscription", member.asString(), listAddress.asString());
        ListNotice.goodbye(context, list.get(), member);
        return Outcome.UNSUBSCRIBED;
    }
}
