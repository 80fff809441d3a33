package org.switchboard.directory.routing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;

/**
 * Reports each distinct problem once (a bad directory value would otherwise be logged at every lookup), and the
 * start and end of each outage once.
 */
final class OnceLog {
    /** Distinct problems remembered; beyond, further new ones go to DEBUG. */
    static final int CAPACITY = 10_000;

    private final Logger logger;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Set<String> outages = ConcurrentHashMap.newKeySet();

    OnceLog(Logger logger) {
        this.logger = logger;
    }

    /** Logs at WARN the first time this key is seen. */
    void warn(String key, String message) {
        if (reported.contains(key)) {
            return;
        }
        if (reported.size() >= CAPACITY) {
            logger.debug(message);
            return;
        }
        if (reported.add(key)) {
            logger.warn(message);
        }
    }

    /** True when the named outage was not already going on. */
    boolean startOutage(String name) {
        return outages.add(name);
    }

    /** True when the named outage was going on. */
    boolean endOutage(String name) {
        return outages.remove(name);
    }
}
