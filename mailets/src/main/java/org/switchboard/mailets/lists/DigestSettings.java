package org.switchboard.mailets.lists;

import java.util.Optional;

/**
 * A list's digest settings.
 *
 * @param schedule    {@code ieListDigestInterval}: when digests go out ({@link DigestSchedule#DEFAULT} when absent)
 * @param maxMessages {@code ieListDigestMaxMessages}: a digest goes out as soon as it holds this many posts; empty:
 *                    only on schedule
 */
public record DigestSettings(DigestSchedule schedule, Optional<Integer> maxMessages) {
}
