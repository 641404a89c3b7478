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
 * against the test broker; on a local disk, or on S3 ({@link #onS3}).
 */
public final class Service implements AutoCloseable {
    private final Path dir;
    private final Map<String, String> settings = new HashMap<>();
    private Path lakeFiles;
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

    /**
     * Where the lake's files are on this machine: the lake root on a local disk; on S3, the folder in which S3Proxy
     * keeps the objects of the lake's prefix, one file per object (read there, the lake is read independently of S3A).
     */
    public Path lakeRoot() {
        return lakeFiles != null ? lakeFiles : dir.resolve("data_lake");
    }

    /**
     * The lake on S3 below {@code prefix} of the test bucket, through the settings a user gives ({@code datalake.root},
     * {@code datalake.hadoop.*}), with its spool in this service's folder, and the warehouse in a file beside it (an
     * {@code s3a:} lake has no local folder to keep it in).
     */
    public Service onS3(S3Lake s3, String prefix) {
        settings.putAll(s3.properties(prefix));
        settings.put("datalake.spool-dir", spoolDir().toString());
        settings.put("datalake.warehouse.url", "jdbc:sqlite:" + dir.resolve("warehouse.db").toAbsolutePath());
        lakeFiles = s3.object(prefix);
        return this;
    }

    public Path spoolDir() {
        return dir.resolve("spool");
    }

    /** The JDBC URL of the warehouse: the default SQLite file in the lake root, unless set. */
    public String warehouseUrl() {
        return settings.getOrDefault("datalake.warehouse.url", WarehouseServers.sqliteUrl(lakeRoot()));
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
