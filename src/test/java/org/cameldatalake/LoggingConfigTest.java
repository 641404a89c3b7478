package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

/** The logback.xml shipped in the jar (tests use logback-test.xml, so nothing else would notice it broken). */
class LoggingConfigTest {
    @Test
    void theShippedLogConfigurationParsesAndLogsToStandardError() throws Exception {
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        configurator.doConfigure(java.nio.file.Path.of("src/main/resources/logback.xml").toFile());
        assertThat(ctx.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() >= Status.WARN);
        var appender = (ConsoleAppender<?>) ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
        assertThat(appender.getTarget()).isEqualTo("System.err");
        ctx.stop();
    }
}
