package org.cameldatalake.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cameldatalake.demo.EmbeddedKafka;

/**
 * The end-of-test audit of a Kafka stream feed after crashes or outages, with DuckDB: every produced record exactly
 * once (by TRANSACTION_ID and by Kafka position), nothing else, and nothing temporary where readers look.
 */
public final class LakeAudit {
    private LakeAudit() {
    }

    /**
     * The end of a crash or outage test: waits until the feed's consumer group has committed the topic's end offsets
     * (offsets are committed only past published records, so the lake then holds all it ever will), stops the service
     * cleanly and audits the feed: every produced record once, nothing temporary visible, the commit still at the end.
     */
    public static void catchUpStopAndAudit(Service service, EmbeddedKafka broker, String feed, String topic, int partitions,
                                           List<String> producedIds, Duration atMost) throws Exception {
        catchUpStopAndAudit(service.lake(), service::stop, broker, feed, topic, partitions, producedIds, atMost);
    }

    /** As {@link #catchUpStopAndAudit(Service, EmbeddedKafka, String, String, int, List, Duration)}, for services {@code stop} stops. */
    public static void catchUpStopAndAudit(Lake lake, AutoCloseable stop, EmbeddedKafka broker, String feed, String topic,
                                           int partitions, List<String> producedIds, Duration atMost) throws Exception {
        String group = "camel-datalake-" + feed;
        Map<Integer, Long> end = KafkaSupport.endOffsets(broker, topic, partitions);
        await().atMost(atMost).pollInterval(Duration.ofMillis(500))
                .until(() -> KafkaSupport.committed(broker, group, topic).equals(end));
        stop.close();
        assertEveryRecordExactlyOnce(lake, feed, producedIds, end);
        assertNothingTemporaryVisible(lake, feed, topic);
        assertThat(KafkaSupport.committed(broker, group, topic)).as("committed offsets after the clean stop").isEqualTo(end);
        assertMetadataCountsWhatLanded(lake, feed);
    }

    /** {@code _metadata.json}'s total and per-day counts are what DuckDB reads from the files. */
    public static void assertMetadataCountsWhatLanded(Lake lake, String feed) throws IOException {
        com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(lake.root().resolve("streams").resolve(feed).resolve("_metadata.json").toFile());
        assertThat(meta.path("total_records").asLong()).as("total_records in _metadata.json")
                .isEqualTo(lake.count("SELECT count(*) FROM " + lake.stream(feed)));
        Map<String, Long> recorded = new TreeMap<>();
        meta.path("partitions").forEach(p -> recorded.put(p.path("path").asText(), p.path("records").asLong()));
        Map<String, Long> read = new TreeMap<>();
        lake.rows("SELECT printf('year=%04d/month=%02d/day=%02d', year, month, day), count(*) FROM " + lake.stream(feed)
                + " GROUP BY 1").forEach(r -> read.put(r.get(0).toString(), ((Number) r.get(1)).longValue()));
        assertThat(recorded).as("records per day partition in _metadata.json").isEqualTo(read);
    }

    /**
     * Every id in {@code producedIds} is in the feed exactly once and no other id is; each partition holds each
     * of its offsets {@code 0 … end - 1} exactly once.
     */
    public static void assertEveryRecordExactlyOnce(Lake lake, String feed, Collection<String> producedIds,
                                                    Map<Integer, Long> endOffsets) throws IOException {
        String t = lake.stream(feed);
        Path ids = lake.root().resolveSibling("produced-ids-" + feed + ".csv");
        List<String> lines = new ArrayList<>(producedIds.size() + 1);
        lines.add("TRANSACTION_ID");
        lines.addAll(producedIds);
        Files.write(ids, lines, StandardCharsets.UTF_8);
        String produced = "read_csv('" + ids + "', header = true, columns = {'TRANSACTION_ID': 'VARCHAR'})";

        assertThat(lake.rows("SELECT TRANSACTION_ID, count(*) FROM " + t + " GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 10"))
                .as("records landed more than once").isEmpty();
        assertThat(lake.rows("SELECT TRANSACTION_ID FROM " + produced + " ANTI JOIN " + t + " USING (TRANSACTION_ID) ORDER BY 1 LIMIT 10"))
                .as("produced records missing from the lake").isEmpty();
        assertThat(lake.rows("SELECT TRANSACTION_ID FROM " + t + " ANTI JOIN " + produced + " USING (TRANSACTION_ID) ORDER BY 1 LIMIT 10"))
                .as("records in the lake that were never produced").isEmpty();
        assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(producedIds.size());

        Map<Integer, Long> ends = new TreeMap<>(endOffsets);
        ends.values().removeIf(end -> end == 0);
        List<List<Object>> expected = new ArrayList<>();
        ends.forEach((p, end) -> expected.add(List.of(p, end, end, 0L, end - 1)));
        assertThat(lake.rows("SELECT _kafka_partition, count(*), count(DISTINCT _kafka_offset), min(_kafka_offset), "
                + "max(_kafka_offset) FROM " + t + " GROUP BY 1 ORDER BY 1").toString())
                .as("per partition: records, distinct offsets, first and last offset").isEqualTo(expected.toString());
    }

    /** No temporary file anywhere in a lake on a local disk: none in a {@code _temporary} folder, none named {@code .tmp}. */
    public static void assertNoTemporaryFile(Path lakeRoot) throws IOException {
        if (!Files.isDirectory(lakeRoot)) {
            return;
        }
        try (Stream<Path> files = Files.walk(lakeRoot)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> lakeRoot.relativize(p).toString()))
                    .as("temporary files in " + lakeRoot).noneMatch(f -> f.contains("_temporary/") || f.endsWith(".tmp"));
        }
    }

    /**
     * The feed's folder holds only {@code _metadata.json} and published data files of {@code topic} (no file under
     * {@code _temporary/}, no {@code .tmp} or {@code .crc} leftover), seen both by walking it and by DuckDB's glob,
     * and DuckDB reads exactly those data files.
     */
    public static void assertNothingTemporaryVisible(Lake lake, String feed, String topic) throws IOException {
        Path dir = lake.root().resolve("streams").resolve(feed);
        Pattern published = Pattern.compile("data_\\d{8}_\\d{6}_" + Pattern.quote(topic) + "\\+\\d+\\+\\d+\\+\\d+\\.parquet");
        List<String> onDisk;
        try (Stream<Path> files = Files.walk(dir)) {
            onDisk = files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
        assertThat(onDisk).as("files in " + dir).allMatch(f -> f.equals("_metadata.json")
                || f.matches("_manifests/" + Pattern.quote(topic) + "-\\d+\\.json")
                || (f.matches("year=\\d{4}/month=\\d{2}/day=\\d{2}/.*") && published.matcher(f.substring(f.lastIndexOf('/') + 1)).matches()));
        List<String> globbed = lake.rows("SELECT file FROM glob('" + dir + "/**') ORDER BY 1").stream()
                .map(r -> dir.relativize(Path.of(r.get(0).toString())).toString()).sorted().toList();
        assertThat(globbed).as("what DuckDB's glob sees").isEqualTo(onDisk);
        List<String> read = lake.rows("SELECT DISTINCT filename FROM " + lake.stream(feed)).stream()
                .map(r -> dir.relativize(Path.of(r.get(0).toString())).toString()).sorted().toList();
        assertThat(read).as("files DuckDB reads").isEqualTo(onDisk.stream().filter(f -> f.endsWith(".parquet")).toList());
    }
}
