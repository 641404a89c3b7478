package org.cameldatalake.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The log configuration of the jar, in code (logback finds it through {@code META-INF/services}): the log goes to
 * standard error — standard output carries what commands print ({@code report --json | jq}) — at INFO, with the chatty
 * libraries at WARN. Parsing the same configuration from XML costs a cold JVM about half a second (the XML parser and
 * logback's configuration model), a third of a one-shot command such as {@code report}.
 * A configuration of one's own still wins: {@code -Dlogback.configurationFile=…}, or a {@code logback.xml} or
 * {@code logback-test.xml} on the class path (the tests').
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";
    static final Map<String, Level> LEVELS = Map.of(
            "org.apache.kafka", Level.WARN,
            "kafka", Level.WARN,
            "state.change.logger", Level.WARN,
            "org.apache.kafka.controller", Level.ERROR,
            "org.apache.hadoop", Level.WARN,
            "org.apache.hadoop.util.NativeCodeLoader", Level.ERROR,
            "org.apache.parquet", Level.WARN,
            "org.apache.camel.component.kafka", Level.WARN,
            "org.apache.camel.impl.engine", Level.WARN,
            "org.apache.camel.main", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        ClassLoader loader = LogConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // logback's own XML configurator reads it
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("CONSOLE");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        LEVELS.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
