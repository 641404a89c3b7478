package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The log configuration the jar ships ({@code runtime.LogConfigurator}, found by logback through META-INF/services),
 * as logback applied it to this JVM: the tests run with it too, so a broken one would show here first.
 */
class LoggingConfigTest {
    @Test
    void theShippedLogConfigurationLogsToStandardErrorWithTheLibrariesQuieter() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        var appender = (ConsoleAppender<?>) root.getAppender("CONSOLE");
        assertThat(appender).as("logback's fallback would log to standard output, mixed with what commands print").isNotNull();
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(ctx.getLogger("org.apache.kafka.clients.consumer.KafkaConsumer").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(ctx.getLogger("org.apache.hadoop.util.NativeCodeLoader").getEffectiveLevel()).isEqualTo(Level.ERROR);
        assertThat(ctx.getLogger("org.cameldatalake.sink.AppendWriter").getEffectiveLevel()).isEqualTo(Level.INFO);
    }
}
