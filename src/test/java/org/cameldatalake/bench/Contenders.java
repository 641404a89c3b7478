package org.cameldatalake.bench;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.Lake;

/**
 * The two processes the benchmark races, each launched alike (fresh JVM, -Xmx256m) on the same topics and timed from
 * launch until its commits reach the end: the service (the jar, one feed per topic) and {@link HandWrittenPeer}; and
 * the check that both landed the same rows.
 */
final class Contenders {
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*\\} (\\S+)$");

    private Contenders() {
    }

    /** The feed reading {@code topic}: {@code bench} alone, else {@code bench_<topic's suffix>}. */
    static String feedName(String topic, List<String> topics) {
        return topics.size() == 1 ? "bench" : "bench_" + topic.substring(topic.lastIndexOf('_') + 1).toLowerCase(java.util.Locale.ROOT);
    }

    /** The jar with one feed file per topic; extra JVM options from {@code BENCH_SERVICE_JVM_OPTS}. */
    static LaunchedRun.Outcome service(String brokers, List<String> topics, Path dir) throws Exception {
        return service(brokers, topics, dir, List.of());
    }

    /** The same with {@code jvmOptions} too (a class-data-sharing archive, say). */
    static LaunchedRun.Outcome service(String brokers, List<String> topics, Path dir, List<String> jvmOptions) throws Exception {
        Files.createDirectories(dir.resolve("feeds/active"));
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String topic : topics) {
            String feed = feedName(topic, topics);
            Files.writeString(dir.resolve("feeds/active/" + feed + ".json"), """
                    {"feed_name": "%s", "feed_type": "stream", "source": "kafka", "kafka_topic": "%s",
                     "partitioning": {"type": "date", "columns": ["year", "month", "day"], "timestamp_field": "TIMESTAMP"}}
                    """.formatted(feed, topic));
            groups.put("camel-datalake-" + feed, List.of(topic));
        }
        int port = Http.freePort();
        int managementPort = Http.freePort(); // health and metrics: not on the API's port
        List<String> cmd = new ArrayList<>(List.of(LaunchedRun.javaBin(), "-Xmx256m"));
        String extra = System.getenv("BENCH_SERVICE_JVM_OPTS"); // e.g. -XX:StartFlightRecording=filename=/tmp/c.jfr
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Ddatalake.root=" + dir.resolve("data_lake"), "-Ddatalake.feeds.dir=" + dir.resolve("feeds"),
                "-Dcamel.component.kafka.brokers=" + brokers, "-Ddatalake.api.port=" + port, "-Ddatalake.management.port=" + managementPort,
                "-Ddatalake.maintenance.autostart=false", "-Ddatalake.append.max-age=5s", "-Ddatalake.append.max-idle=1s",
                "-jar", Path.of("target/camel-datalake.jar").toAbsolutePath().toString(), "run"));
        return LaunchedRun.run(cmd, dir, dir.resolve("service.log"), brokers, groups, () -> heapMb(managementPort));
    }

    /** Deletes the service's consumer groups of {@code topics}, so that it reads them again from their beginning. */
    static void forgetServiceOffsets(String brokers, List<String> topics) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.<String, Object>of("bootstrap.servers", brokers))) {
            admin.deleteConsumerGroups(topics.stream().map(t -> "camel-datalake-" + feedName(t, topics)).toList()).all().get();
        }
    }

    /** {@link HandWrittenPeer} in its own JVM, one consumer group for all topics. */
    static LaunchedRun.Outcome peer(String brokers, List<String> topics, Path dir) throws Exception {
        Files.createDirectories(dir);
        // it runs in its own directory: the benchmark's class path, relative to this one, made absolute
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        List<String> cmd = new ArrayList<>(List.of(LaunchedRun.javaBin(), "-Xmx256m", "-cp", classPath,
                HandWrittenPeer.class.getName(), brokers, "bench-peer", dir.resolve("lake").toString()));
        cmd.addAll(topics);
        return LaunchedRun.run(cmd, dir, dir.resolve("peer.log"), brokers, Map.of("bench-peer", topics), null);
    }

    /** Heap in use now (sum of the heap pools), from the service's own Prometheus endpoint. */
    private static long heapMb(int port) {
        try {
            HttpResponse<String> r = Http.get("http://localhost:" + port + "/observe/metrics");
            double sum = 0;
            Matcher m = HEAP.matcher(r.body());
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return (long) (sum / 1048576);
        } catch (Exception e) {
            return 0; // not up yet
        }
    }

    /**
     * Whether the service and the peer landed the same rows, read back with DuckDB: each row's topic, Kafka partition
     * and offset, transaction id, amount and date partition, compared as multisets both ways. One line saying so,
     * with the counts.
     */
    static String sameRows(Path serviceDir, Path peerDir) {
        String rows = "SELECT _source, CAST(_kafka_partition AS INTEGER) p, CAST(_kafka_offset AS BIGINT) o, TRANSACTION_ID,"
                + " CAST(AMOUNT AS DOUBLE) amount, CAST(year AS INTEGER) y, CAST(month AS INTEGER) m, CAST(day AS INTEGER) d"
                + " FROM read_parquet('%s/**/*.parquet', hive_partitioning = true, union_by_name = true)";
        String service = rows.formatted(serviceDir.resolve("data_lake/streams"));
        String peer = rows.formatted(peerDir.resolve("lake"));
        List<Object> r = new Lake(serviceDir).rows("WITH s AS (" + service + "), q AS (" + peer + ") SELECT"
                + " (SELECT count(*) FROM s), (SELECT count(*) FROM q),"
                + " (SELECT count(*) FROM (SELECT * FROM s EXCEPT ALL SELECT * FROM q)),"
                + " (SELECT count(*) FROM (SELECT * FROM q EXCEPT ALL SELECT * FROM s))").get(0);
        boolean same = ((Number) r.get(2)).longValue() == 0 && ((Number) r.get(3)).longValue() == 0;
        return String.format(java.util.Locale.ROOT, "%s: service %,d rows, peer %,d rows; only in the service %,d, only in the peer %,d",
                same ? "same rows ✓" : "DIFFERENT ROWS ✗", ((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue(),
                ((Number) r.get(2)).longValue(), ((Number) r.get(3)).longValue());
    }
}
