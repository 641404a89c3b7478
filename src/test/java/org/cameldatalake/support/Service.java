package org.cameldatalake.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.cameldatalake.runtime.DatalakeRuntime;
import org.cameldatalake.runtime.FeedRouteManager;

/**
 * The real service (the same {@link DatalakeRuntime} as {@code java -jar}) on a temporary lake and feeds folder,
 * against the test broker.
 */
public final class Service implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> settings = new HashMap<>();
    private Main main;

    public Service(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(feedsDir().resolve("active"));
        settings.put("datalake.root", lakeRoot().toString());
        settings.put("datalake.feeds.dir", feedsDir().toString());
        settings.put("camel.component.kafka.brokers", KafkaSupport.broker().bootstrapServers());
        settings.put("datalake.kafka.batching-interval-ms", "200");
        settings.put("datalake.kafka.poll-timeout-ms", "200");
        // test data is dated 2025: a retention cron firing mid-test would delete it; tests run maintenance explicitly
        settings.put("datalake.maintenance.autostart", "false");
        // the read API, health and metrics on free ports (the same 0: one server); tests that call them set ports
        settings.put("datalake.api.port", "0");
        settings.put("datalake.management.port", "0");
    }

    public Path lakeRoot() {
        return dir.resolve("data_lake");
    }

    public Path feedsDir() {
        return dir.resolve("feeds");
    }

    public Lake lake() {
        return new Lake(lakeRoot());
    }

    public Service set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    public Map<String, String> settings() {
        return settings;
    }

    public Path feedFile(String fileName, String json) throws IOException {
        return Files.writeString(feedsDir().resolve("active").resolve(fileName), json);
    }

    /** A Kafka stream feed whose date comes from TIMESTAMP. */
    public Path kafkaFeed(String name, String topic) throws IOException {
        return feedFile(name + ".json", """
                {"feed_name": "%s", "feed_type": "stream", "source": "kafka", "kafka_topic": "%s",
                 "partitioning": {"type": "date", "columns": ["year", "month", "day"], "timestamp_field": "TIMESTAMP"}}
                """.formatted(name, topic));
    }

    public Service start() throws Exception {
        return start(java.time.Clock.systemUTC());
    }

    public Service start(java.time.Clock clock) throws Exception {
        if ("false".equals(settings.get("datalake.feeds.autostart"))) {
            settings.putIfAbsent("datalake.feeds.watch", "false"); // feeds run only when a test asks
        }
        main = DatalakeRuntime.create(settings, clock);
        main.start();
        return this;
    }

    public org.cameldatalake.maintenance.Maintenance maintenance() {
        return context().getRegistry().lookupByNameAndType("maintenance", org.cameldatalake.maintenance.Maintenance.class);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public FeedRouteManager feeds() {
        return context().getRegistry().lookupByNameAndType("feedRouteManager", FeedRouteManager.class);
    }

    public void stop() throws Exception {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
