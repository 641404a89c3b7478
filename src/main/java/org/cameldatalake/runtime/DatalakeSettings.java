package org.cameldatalake.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.cameldatalake.feed.Units;
import org.cameldatalake.sink.AppendSettings;
import org.cameldatalake.sink.MemoryBudget;

/**
 * The {@code datalake.*} settings of application.properties (DESIGN.md §3b), resolved once at start-up.
 * {@code hadoop} holds the {@code datalake.hadoop.*} keys without their prefix: Hadoop configuration for the lake's
 * file system ({@code fs.s3a.endpoint}, {@code fs.defaultFS}, {@code dfs.replication}, …). {@code ksqldbPollBuffer}: bytes
 * of a ksqlDB stream poll's rows sorted in memory (the rest in temporary files).
 * {@code spoolDir}: where a lake without rename prepares its uploads.
 */
public record DatalakeSettings(String root, Path feedsDir, ZoneId zone, AppendSettings append, String ksqldbUrl,
                               boolean autostartFeeds, Duration retryBackoff, Duration maxRetryBackoff,
                               Map<String, String> hadoop, long ksqldbPollBuffer, Cluster cluster,
                               Path spoolDir) {
    public static final String HADOOP_PREFIX = "datalake.hadoop.";

    /**
     * How several instances on one lake share its scheduled work ({@link ScheduledWork}): {@code service} none, file
     * or registry; {@code fileRoot} null for the default.
     */
    public record Cluster(String service, String namespace, Path fileRoot, Duration acquireLockInterval, String memberId) {
    }

    public static DatalakeSettings from(CamelContext ctx) {
        PropertiesComponent pc = ctx.getPropertiesComponent();
        Set<String> hadoopKeys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(HADOOP_PREFIX)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(HADOOP_PREFIX)).forEach(hadoopKeys::add);
        return from(pc::resolveProperty, hadoopKeys);
    }

    /**
     * The same settings resolved as the service resolves them ({@link DatalakeRuntime#setting}), without starting
     * Camel: for the commands that need no routes and must answer quickly ({@code feeds list}, {@code report}, …).
     */
    public static DatalakeSettings withoutCamel() {
        return from(key -> Optional.ofNullable(DatalakeRuntime.setting(key, null)), DatalakeRuntime.settingKeys(HADOOP_PREFIX));
    }

    private static DatalakeSettings from(Function<String, Optional<String>> pc, Set<String> hadoopKeys) {
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
                zone, dictionary(get(pc, "datalake.append.dictionary")));
        return new DatalakeSettings(get(pc, "datalake.root"), Path.of(get(pc, "datalake.feeds.dir")),
                zone, append, get(pc, "datalake.ksqldb.url"),
                Boolean.parseBoolean(get(pc, "datalake.feeds.autostart")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff")),
                Units.duration(get(pc, "datalake.kafka.retry-backoff-max")), hadoop(pc, hadoopKeys),
                Units.bytes(get(pc, "datalake.ksqldb.poll-buffer")), cluster(pc),
                Path.of(get(pc, "datalake.spool-dir")));
    }

    /** {@code learn}: true, {@code always}: false (see {@link AppendSettings}). */
    private static boolean dictionary(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "learn" -> true;
            case "always" -> false;
            default -> throw new IllegalArgumentException("datalake.append.dictionary must be learn or always, not '" + value + "'");
        };
    }

    private static Cluster cluster(Function<String, Optional<String>> pc) {
        String root = optional(pc, "datalake.cluster.file.root");
        String member = optional(pc, "datalake.cluster.member-id");
        return new Cluster(get(pc, "datalake.cluster.service").toLowerCase(java.util.Locale.ROOT),
                get(pc, "datalake.cluster.namespace"), root.isEmpty() ? null : Path.of(root),
                Units.duration(get(pc, "datalake.cluster.acquire-lock-interval")),
                member.isEmpty() ? hostName() + "-" + ProcessHandle.current().pid() : member);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** A setting that may be left empty. */
    private static String optional(Function<String, Optional<String>> pc, String key) {
        return pc.apply(key).map(String::trim).orElse("");
    }

    /** {@code datalake.hadoop.*} from every source the service reads (files, overrides, {@code -D}); empty values are unset. */
    private static Map<String, String> hadoop(Function<String, Optional<String>> pc, Set<String> keys) {
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            String value = pc.apply(key).map(String::trim).orElse("");
            if (!value.isEmpty()) {
                out.put(key.substring(HADOOP_PREFIX.length()), value);
            }
        }
        return out;
    }

    /** A setting; its default is in application.properties (the copy in the jar when the folder has none). */
    private static String get(Function<String, Optional<String>> pc, String key) {
        return pc.apply(key).map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(() ->
                new IllegalArgumentException("setting " + key + " is missing or empty (its default is in application.properties)"));
    }
}
