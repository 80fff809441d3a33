package org.switchboard.server.mailetcontainer;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.Startable;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says at start when the postmaster has no mailbox (no user, no alias to one): its notices would end in
 * {@code var/mail/address-error}, read by nobody. Run once domains, users and aliases are configured
 * ({@link PostmasterModule}).
 */
public class PostmasterMailboxCheck implements Startable {
    private static final Logger LOGGER = LoggerFactory.getLogger(PostmasterMailboxCheck.class);

    private final MailetContext context;

    @Inject
    public PostmasterMailboxCheck(MailetContext context) {
        this.context = context;
    }

    /** True when the postmaster has a mailbox; logs the steps that create it when it has none. */
    boolean check() {
        MailAddress postmaster = context.getPostmaster();
        if (context.isLocalEmail(postmaster)) {
            return true;
        }
        LOGGER.warn("The postmaster {} has no mailbox: notices to it go to jpa://var/mail/address-error/ until you"
            + " create it (bin/james-cli AddDomain {}, then bin/james-cli AddUser {} <password>)",
            postmaster.asString(), postmaster.getDomain().asString(), postmaster.asString());
        return false;
    }
}
