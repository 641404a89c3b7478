package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.BadRecords;
import org.cameldatalake.support.BadRecordsInLake;
import org.cameldatalake.support.BadResponses;
import org.cameldatalake.support.Fuzz;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 item 4 end to end: seeded bad input through the real broker and the real service (a Kafka feed), and
 * through the ksqlDB emulator over HTTP (a table feed). Unit-level runs with more cases and the 25 MB values:
 * {@code AppendWriterFuzzTest}, {@code KsqlQueryResponseFuzzTest}.
 */
class BadInputFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY1 = LocalDate.of(2025, 10, 13);
    private static final int BAD = 10_000;
    private static final int GOOD = 10_000;

    @TempDir
    Path dir;

    /**
     * 10,000 bad values of every kind and 10,000 good ones, interleaved on two partitions, plus two 10 MB values (one
     * good, one bad) on a topic that allows 16 MB messages (the broker's default is 1 MB).
     */
    @Test
    void aKafkaFeedRejectsEveryBadValueWithItsReasonLandsEveryGoodOneAndCommitsToTheEnd() throws Exception {
        long seed = Fuzz.seed("BadInputFuzzTest (Kafka)");
        BadRecords generator = new BadRecords(seed, DAY1, 3);
        SplittableRandom random = new SplittableRandom(seed);
        List<BadRecords.Value> values = Fuzz.mixed(random, BAD, generator::bad, GOOD, generator::good,
                generator.goodHuge(BadRecords.TEN_MB), generator.badTenMegabytes());
        try (Admin admin = KafkaSupport.broker().admin()) {
            admin.createTopics(List.of(new NewTopic("FUZZ", 2, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(16 << 20))))).all().get();
        }
        List<BadRecordsInLake.Sent> sent = send("FUZZ", values, random);

        try (Service service = new Service(dir)) {
            service.kafkaFeed("fuzz", "FUZZ");
            long start = System.nanoTime();
            service.set("datalake.append.max-age", "1s").start();
            Map<Integer, Long> end = KafkaSupport.endOffsets("FUZZ", 2);
            // no stuck route: the committed offsets reach the end of both partitions
            await().atMost(100, SECONDS).pollInterval(500, MILLISECONDS)
                    .until(() -> KafkaSupport.committed("camel-datalake-fuzz", "FUZZ").equals(end));
            double seconds = (System.nanoTime() - start) / 1e9;
            service.stop();

            Map<BadRecords.Kind, Long> byKind = BadRecordsInLake.check(service.lakeRoot(), "fuzz", sent);
            System.out.printf("BadInputFuzzTest: %d bad values %s and %d good ones through the broker, every offset "
                    + "committed %.1f s after start%n", byKind.values().stream().mapToLong(Long::longValue).sum(), byKind,
                    sent.stream().filter(s -> s.value().good()).count(), seconds);
            assertThat(byKind.keySet()).containsExactlyInAnyOrder(BadRecords.Kind.values());
        }
    }

    /** Sends every value (its partition drawn at random) and returns where the broker put it. */
    private static List<BadRecordsInLake.Sent> send(String topic, List<BadRecords.Value> values, SplittableRandom random)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaSupport.broker().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64 << 20));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        long timestamp = DAY1.atTime(12, 0).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            for (BadRecords.Value v : values) {
                acks.add(producer.send(new ProducerRecord<>(topic, random.nextInt(2), timestamp, "k", v.bytes())));
            }
            producer.flush();
        }
        List<BadRecordsInLake.Sent> sent = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            RecordMetadata m = acks.get(i).get();
            sent.add(new BadRecordsInLake.Sent(m.partition(), m.offset(), values.get(i)));
        }
        return sent;
    }

    /**
     * A sample of broken responses of every kind, served by the emulator in place of a table's pull query: each
     * export fails with its reason in {@code last_error}, v1 stays the only and current version, nothing is left
     * in {@code _temporary/}; then a complete response with Unicode edge values publishes v2, read back unchanged.
     */
    @Test
    void aTableFeedKeepsItsCurrentVersionThroughEveryBrokenResponseAndGoesOn() throws Exception {
        long seed = Fuzz.seed("BadInputFuzzTest (ksqlDB)");
        BadResponses generator = new BadResponses(seed);
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source table = ksqldb.createTable("FUZZED", "FUZZED", BadResponses.COLUMNS, List.of("ID"));
            for (int i = 0; i < 5; i++) {
                Map<String, Object> loc = new LinkedHashMap<>();
                loc.put("CITY", "Paris");
                loc.put("ZIP", 75001 + i);
                table.insert(1000L + i, "ID-" + i, i, (long) i, i + 0.5, new BigDecimal(i + ".25"),
                        Instant.parse("2025-10-13T16:38:28.047Z"), DAY1, LocalTime.of(16, 38), new byte[] {(byte) i}, true,
                        "note " + i, List.of("a"), Map.of("k", i), loc);
            }
            try (Service service = new Service(dir)) {
                service.feedFile("fuzzed.json", "{\"feed_name\": \"fuzzed\", \"feed_type\": \"table\", \"ksqldb_source\": \"FUZZED\"}");
                service.set("datalake.ksqldb.url", ksqldb.url())
                        // each broken response is served once: a retry would get a good one
                        .set("datalake.ksqldb.retry.maximum-redeliveries", "0").set("datalake.feeds.autostart", "false").start();
                FeedRouteManager feeds = service.feeds();
                assertThat(feeds.exportOnce(feeds.catalog().feed("fuzzed"))).startsWith("version v1 (5 rows)");
                Path tableDir = service.lakeRoot().resolve("tables/fuzzed");

                Map<BadResponses.Kind, Integer> byKind = new EnumMap<>(BadResponses.Kind.class);
                List<BadResponses.Response> sample = Fuzz.mixed(new SplittableRandom(seed), 160, generator::bad, 0, generator::good,
                        generator.bad(BadResponses.Kind.HUGE_VALUE));
                long start = System.nanoTime();
                for (BadResponses.Response r : sample) {
                    byKind.merge(r.kind(), 1, Integer::sum);
                    ksqldb.answerNextWith("/query-stream", r.body());
                    assertThatThrownBy(() -> feeds.exportOnce(feeds.catalog().feed("fuzzed"))).as(r.toString())
                            .satisfies(e -> assertThat(FeedRouteManager.reason(e)).containsPattern(r.failure()));
                    JsonNode meta = JSON.readTree(tableDir.resolve("_metadata.json").toFile());
                    assertThat(meta.get("current_version").asInt()).as(r.toString()).isEqualTo(1);
                    assertThat(meta.get("last_error").asText()).as(r.toString()).contains("version v1 stays current")
                            .containsPattern(r.failure());
                    assertThat(versions(tableDir)).as(r.toString()).containsExactly("version=v1");
                    assertThat(tableDir.resolve("_temporary").toFile().list()).as(r.toString()).isEmpty();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("BadInputFuzzTest: %d broken ksqlDB responses %s through the emulator in %.1f s%n",
                        sample.size(), byKind, seconds);
                assertThat(byKind.keySet()).containsExactlyInAnyOrder(BadResponses.Kind.values());

                // the feed goes on: a complete response, with edge values, is the next version
                BadResponses.Response good;
                do {
                    good = generator.good();
                } while (!good.variant().startsWith("edge"));
                ksqldb.answerNextWith("/query-stream", good.body());
                assertThat(feeds.exportOnce(feeds.catalog().feed("fuzzed"))).startsWith("version v2 (" + good.rows().size() + " rows)");
                Lake lake = service.lake();
                Map<String, String> notes = new LinkedHashMap<>();
                for (List<Object> row : lake.rows("SELECT ID, NOTE FROM read_parquet('" + tableDir.resolve("version=v2") + "/*.parquet')")) {
                    notes.put((String) row.get(0), (String) row.get(1));
                }
                for (String row : good.rows()) {
                    JsonNode columns = JSON.readTree(row).get("row").get("columns");
                    assertThat(notes).containsEntry(columns.get(0).textValue(), columns.get(10).textValue());
                }
            }
        }
    }

    private static List<String> versions(Path tableDir) throws Exception {
        try (Stream<Path> s = Files.list(tableDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version=")).sorted().toList();
        }
    }
}
