package org.switchboard.mailets.messageswitch;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.switchboard.directory.routing.DirectoryEntry;
import org.switchboard.pipeline.Route;

/** What the Message Switch does with one recipient of a mail. */
sealed interface RoutingDecision {

    /** The recipient as it arrived. */
    MailAddress recipient();

    /** Left as it is: unknown to the directory, or routed by an earlier pass. James' default logic applies. */
    record Unchanged(MailAddress recipient) implements RoutingDecision {
    }

    /** Replaced by the targets (one per route, or the entry's own address), in directory order. */
    record Rewritten(MailAddress recipient, DirectoryEntry entry, List<Target> targets) implements RoutingDecision {
        public Rewritten {
            targets = List.copyOf(targets);
        }
    }

    /** Cannot be routed (the directory holds an unusable route): the recipient goes to the error processor. */
    record Refused(MailAddress recipient, String reason) implements RoutingDecision {
    }

    /** Routed, but x-permission forbids it (sender may not send, or recipient may not receive, on the channel). */
    record Denied(MailAddress recipient, String reason) implements RoutingDecision {
    }

    /** Unknown to the directory, in a domain of the domain forwarding table: kept, routed to the table's channel. */
    record Forwarded(MailAddress recipient, Route route) implements RoutingDecision {
    }

    /**
     * One resulting recipient and the route recorded for it; no route: James' default logic decides (an entry
     * without {@code othermailbox} in a domain this server does not serve).
     */
    record Target(MailAddress address, Optional<Route> route) {
        public Target {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(route, "route");
        }

        @Override
        public String toString() {
            return route.map(r -> address.asString() + " (" + r.channel() + ")").orElse(address.asString());
        }
    }
}
