package org.switchboard.pipeline;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** A Log4j 2 appender on one logger that keeps its events (level and formatted message) for assertions. */
final class RecordedLog extends AbstractAppender implements AutoCloseable {
    record Line(Level level, String message) {
    }

    private final Logger logger;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private RecordedLog(Logger logger) {
        super("recorded-" + logger.getName(), null, null, true, Property.EMPTY_ARRAY);
        this.logger = logger;
    }

    static RecordedLog of(Class<?> loggerOf) {
        Logger logger = (Logger) LogManager.getLogger(loggerOf);
        RecordedLog log = new RecordedLog(logger);
        log.start();
        logger.addAppender(log);
        return log;
    }

    @Override
    public void append(LogEvent event) {
        lines.add(new Line(event.getLevel(), event.getMessage().getFormattedMessage()));
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    void clear() {
        lines.clear();
    }

    @Override
    public void close() {
        logger.removeAppender(this);
        stop();
    }
}
