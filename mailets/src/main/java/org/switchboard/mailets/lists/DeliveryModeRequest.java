package org.switchboard.mailets.lists;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A member's mail command that changes their delivery mode (to the list's {@code -request} address, as the Subject
 * or the first line of the body): {@code digest}, {@code immediate} (or {@code regular}), or Mailman's
 * {@code set delivery digest|immediate|regular} and {@code set digest on|mime|plain|off}.
 */
final class DeliveryModeRequest {
    /** The first words of the commands. */
    static final Set<String> WORDS = Set.of("digest", "immediate", "regular", "set");
    private static final Map<String, DeliveryMode> MODES = Map.of("digest", DeliveryMode.DIGEST,
        "immediate", DeliveryMode.IMMEDIATE, "regular", DeliveryMode.IMMEDIATE);
    private static final Map<String, DeliveryMode> DIGEST_SWITCH = Map.of("on", DeliveryMode.DIGEST,
        "mime", DeliveryMode.DIGEST, "plain", DeliveryMode.DIGEST, "off", DeliveryMode.IMMEDIATE);

    private DeliveryModeRequest() {
    }

    /** The mode the command line asks for; empty when it is no delivery mode command. */
    static Optional<DeliveryMode> parse(String line) {
        String[] words = line.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (words.length == 1) {
            return Optional.ofNullable(MODES.get(words[0]));
        }
        if (words.length == 3 && words[0].equals("set")) {
            return switch (words[1]) {
                case "delivery" -> Optional.ofNullable(MODES.get(words[2]));
                case "digest" -> Optional.ofNullable(DIGEST_SWITCH.get(words[2]));
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }
}
