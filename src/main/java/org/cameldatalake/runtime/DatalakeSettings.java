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
 * file system ({@code fs.s3a.endpoint}, {@code fs.defaultFS}, {@code dfs.replication}, …).
 */
public record DatalakeSettings(String root, Path feedsDir, ZoneId zone, AppendSettings append, String ksqldbUrl,
                               boolean autostartFeeds, Duration retryBackoff, Duration maxRetryBackoff,
                               Map<String, String> hadoop) {
    public static final String HADOOP_PREFIX = "datalake.hadoop.";

    public static DatalakeSettings from(CamelContext ctx) {
        PropertiesComponent pc = ctx.getPropertiesComponent();
        ZoneId zone = ZoneId.of(get(pc, "datalake.timezone", "UTC"));
        String budget = get(pc, "datalake.append.memory-budget", "auto");
        long memoryBudget = budget.equalsIgnoreCase("auto") ? Runtime.getRuntime().maxMemory() / 4 : Units.bytes(budget);
        AppendSettings append = new AppendSettings(
                Long.parseLong(get(pc, "datalake.append.max-records", "100000")),
                Units.bytes(get(pc, "datalake.append.max-bytes", "128MB")),
                Units.duration(get(pc, "datalake.append.max-age", "60s")),
                Units.duration(get(pc, "datalake.append.max-idle", "0s")),
                new MemoryBudget(memoryBudget),
                Integer.parseInt(get(pc, "datalake.append.max-open-files", "64")),
                Units.bytes(get(pc, "datalake.append.row-group-size", "32MB")),
                zone);
        return new DatalakeSettings(get(pc, "datalake.root", "data_lake"), Path.of(get(pc, "datalake.feeds.dir", "feeds")),
                zone, append, get(pc, "datalake.ksqldb.url", "http://localhost:8088"),
                Boolean.parseBoolean(get(pc, "datalake.feeds.autostart", "true")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff", "1s")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff-max", "30s")), hadoop(pc));
    }

    /** {@code datalake.hadoop.*} from every source Camel reads (files, overrides, {@code -D}); empty values are unset. */
    private static Map<String, String> hadoop(PropertiesComponent pc) {
        Set<String> keys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(HADOOP_PREFIX)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(HADOOP_PREFIX)).forEach(keys::add);
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            String value = get(pc, key, "");
            if (!value.isEmpty()) {
                out.put(key.substring(HADOOP_PREFIX.length()), value);
            }
        }
        return out;
    }

    private static String get(PropertiesComponent pc, String key, String dflt) {
        return pc.resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty()).orElse(dflt);
    }
}
