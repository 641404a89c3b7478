package org.cameldatalake.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.cameldatalake.feed.Units;
import org.cameldatalake.sink.AppendSettings;
import org.cameldatalake.sink.MemoryBudget;

/**
 * The {@code datalake.*} settings of application.properties (DESIGN.md §3b), resolved once at start-up.
 * {@code hadoop} holds the {@code datalake.hadoop.*} keys without their prefix: Hadoop configuration for the lake's
 * file system ({@code fs.s3a.endpoint}, {@code fs.defaultFS}, {@code dfs.replication}, …). {@code spoolDir}: where a lake
 * without rename prepares its uploads.
 */
public record DatalakeSettings(String root, Path feedsDir, ZoneId zone, AppendSettings append, String ksqldbUrl,
                               boolean autostartFeeds, Duration retryBackoff, Duration maxRetryBackoff,
                               Map<String, String> hadoop, Path spoolDir) {
    public static final String HADOOP_PREFIX = "datalake.hadoop.";

    public static DatalakeSettings from(CamelContext ctx) {
        PropertiesComponent pc = ctx.getPropertiesComponent();
        ZoneId zone = ZoneId.of(get(pc, "datalake.timezone"));
        String budget = get(pc, "datalake.append.memory-budget");
        long memoryBudget = budget.equalsIgnoreCase("auto") ? Runtime.getRuntime().maxMemory() / 4 : Units.bytes(budget);
        AppendSettings append = new AppendSettings(
                Long.parseLong(get(pc, "datalake.append.max-records")),
                Units.bytes(get(pc, "datalake.append.max-bytes")),
                Units.duration(get(pc, "datalake.append.max-age")),
                Units.duration(get(pc, "datalake.append.max-idle")),
                new MemoryBudget(memoryBudget),
                Integer.parseInt(get(pc, "datalake.append.max-open-files")),
                Units.bytes(get(pc, "datalake.append.row-group-size")),
                zone);
        return new DatalakeSettings(get(pc, "datalake.root"), Path.of(get(pc, "datalake.feeds.dir")),
                zone, append, get(pc, "datalake.ksqldb.url"),
                Boolean.parseBoolean(get(pc, "datalake.feeds.autostart")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff-max")), hadoop(pc),
                Path.of(get(pc, "datalake.spool-dir")));
    }

    /** {@code datalake.hadoop.*} from every source Camel reads (files, overrides, {@code -D}); empty values are unset. */
    private static Map<String, String> hadoop(PropertiesComponent pc) {
        Set<String> keys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(HADOOP_PREFIX)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(HADOOP_PREFIX)).forEach(keys::add);
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            String value = pc.resolveProperty(key).map(String::trim).orElse("");
            if (!value.isEmpty()) {
                out.put(key.substring(HADOOP_PREFIX.length()), value);
            }
        }
        return out;
    }

    /** A setting; its default is in application.properties (the copy in the jar when the folder has none). */
    private static String get(PropertiesComponent pc, String key) {
        return pc.resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(() ->
                new IllegalArgumentException("setting " + key + " is missing or empty (its default is in application.properties)"));
    }
}
