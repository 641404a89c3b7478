package org.cameldatalake.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The log lines the service writes in this JVM while it is open (level, logger and formatted message). */
public final class LogCapture implements AutoCloseable {
    private final List<ILoggingEvent> events = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            synchronized (events) {
                events.add(e);
            }
        }
    };
    private final Logger root;

    public LogCapture() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.setContext(ctx);
        appender.start();
        root.addAppender(appender);
    }

    /** Every line so far as "LEVEL logger - message". */
    public List<String> lines() {
        synchronized (events) {
            return events.stream().map(LogCapture::line).toList();
        }
    }

    /** Lines containing every one of {@code fragments}. */
    public List<String> lines(String... fragments) {
        return lines().stream().filter(l -> matches(l, fragments)).toList();
    }

    /** When the lines after {@code mark} containing every one of {@code fragments} were logged (epoch ms), in order. */
    public List<Long> times(int mark, String... fragments) {
        synchronized (events) {
            return events.subList(mark, events.size()).stream().filter(e -> matches(line(e), fragments))
                    .map(ILoggingEvent::getTimeStamp).toList();
        }
    }

    /** How many lines were logged so far: a mark for {@link #since}. */
    public int mark() {
        synchronized (events) {
            return events.size();
        }
    }

    /** The lines logged after {@code mark} that contain every one of {@code fragments}. */
    public List<String> since(int mark, String... fragments) {
        List<String> all = lines();
        return all.subList(mark, all.size()).stream().filter(l -> matches(l, fragments)).toList();
    }

    private static boolean matches(String line, String... fragments) {
        return java.util.Arrays.stream(fragments).allMatch(line::contains);
    }

    private static String line(ILoggingEvent e) {
        return e.getLevel() + " " + e.getLoggerName().replaceAll(".*\\.", "") + " - " + e.getFormattedMessage();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
