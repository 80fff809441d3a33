package org.switchboard.server.smtpc;

import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;

/**
 * What became of one mail sent in an SMTP session: the recipients the peer took, those it refused for good (5xx)
 * and those it refused for now (4xx, or the session broke), each with the peer's reply.
 *
 * @param connectionLost the session cannot go on (a new connection is needed for the next mail)
 * @param dsnRelayed the peer announced DSN, so it took over the sender's NOTIFY requests (RFC 3461 section 6.2.1);
 *                   when it did not, a recipient that asked NOTIFY=SUCCESS is reported "relayed" by us
 */
record DeliveryOutcome(List<MailAddress> delivered, Map<MailAddress, String> permanent, Map<MailAddress, String> temporary,
                       boolean connectionLost, boolean dsnRelayed) {
}
