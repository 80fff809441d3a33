package org.switchboard.server.smtpc;

import java.util.List;

/** Where a domain's mail goes, or why it cannot go now (temporary) or ever (permanent). */
sealed interface Resolution {
    record Hops(List<Hop> hops) implements Resolution {
    }

    record Temporary(String reason) implements Resolution {
    }

    record Permanent(String reason) implements Resolution {
    }
}
