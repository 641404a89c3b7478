package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.runtime.FeedRouteManager.FeedStatus;
import org.cameldatalake.runtime.FeedRouteManager.State;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Kafka stream feed against a real broker, read back with DuckDB. */
class KafkaStreamFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY1 = LocalDate.of(2025, 10, 13);

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_10K", "TX_BAD", "TX_ROT_RECORDS", "TX_ROT_AGE", "TX_GOOD"));
    }

    static List<ProducerRecord<String, byte[]>> transactions(String topic, long seed, int n, Map<String, String> byId) {
        return transactions(topic, null, seed, n, byId);
    }

    static List<ProducerRecord<String, byte[]>> transactions(String topic, Integer partition, long seed, int n,
                                                            Map<String, String> byId) {
        TransactionGenerator gen = new TransactionGenerator(seed, DAY1, 3);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TransactionGenerator.Transaction t = gen.next();
            if (byId != null) {
                byId.put(t.id(), t.json());
            }
            out.add(new ProducerRecord<>(topic, partition, t.eventTimeMillis(), t.userId(), t.json().getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void tenThousandTransactionsOverThreeDaysLandExactlyOnceInThreeDayPartitions() throws Exception {
        Map<String, String> produced = new HashMap<>();
        KafkaSupport.send(transactions("TX_10K", 1, 10_000, produced));
        try (Service service = new Service(dir)) {
            service.kafkaFeed("tx_10k", "TX_10K").toString();
            service.set("datalake.append.max-records", "2000").set("datalake.append.max-age", "3s");
            long start = System.nanoTime();
            service.start();
            Lake lake = service.lake();
            var writers = service.context().getRegistry().lookupByNameAndType("appendWriters", org.cameldatalake.sink.AppendWriters.class);
            await().atMost(60, SECONDS).pollInterval(20, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> writers.byFeed("tx_10k") != null && writers.byFeed("tx_10k").counters().recordsWritten() == 10_000);
            double written = (System.nanoTime() - start) / 1e9;
            await().atMost(60, SECONDS).pollInterval(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> lake.streamRows("tx_10k") >= 10_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("10k test: 10000 rows written %.2f s after start (%.0f rows/s, Camel and consumer start-up "
                    + "included), all published %.1f s after start (the last files wait for max-age 3s)%n",
                    written, 10_000 / written, seconds);
            String t = lake.stream("tx_10k");

            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(10_000);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(10_000);
            assertThat(lake.rows("SELECT DISTINCT year, month, day FROM " + t + " ORDER BY 1, 2, 3"))
                    .extracting(r -> LocalDate.of(((Number) r.get(0)).intValue(), ((Number) r.get(1)).intValue(), ((Number) r.get(2)).intValue()))
                    .containsExactly(DAY1, DAY1.plusDays(1), DAY1.plusDays(2));
            // each row sits in the partition of its own event time
            assertThat(lake.count("SELECT count(*) FROM " + t + " WHERE make_date(year, month, day) <> CAST(CAST(TIMESTAMP AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE)"))
                    .isZero();
            // Hive partition pruning works
            assertThat(lake.count("SELECT count(*) FROM " + t + " WHERE year = 2025 AND month = 10 AND day = 14"))
                    .isEqualTo(produced.values().stream().filter(j -> j.contains("\"2025-10-14T")).count());

            // nested values, nulls and numbers intact, for every row
            List<List<Object>> rows = lake.rows("SELECT TRANSACTION_ID, LOCATION.CITY, LOCATION.COUNTRY, SHIPPING_ADDRESS.ZIP, "
                    + "DEVICE_INFO.IP_ADDRESS, DISCOUNT_CODE, TAX_AMOUNT, AMOUNT, QUANTITY, _source, _kafka_partition, _kafka_offset, "
                    + "_ingestion_timestamp FROM " + t);
            for (List<Object> row : rows) {
                JsonNode sent = JSON.readTree(produced.get((String) row.get(0)));
                assertThat(row.get(1)).isEqualTo(sent.at("/LOCATION/CITY").asText());
                assertThat(row.get(2)).isEqualTo(sent.at("/LOCATION/COUNTRY").asText());
                assertThat(row.get(3)).isEqualTo(sent.at("/SHIPPING_ADDRESS/ZIP").asText());
                assertThat(row.get(4)).isEqualTo(sent.at("/DEVICE_INFO/IP_ADDRESS").asText());
                assertThat(row.get(5)).isEqualTo(sent.get("DISCOUNT_CODE").isNull() ? null : sent.get("DISCOUNT_CODE").asText());
                assertThat(((Number) row.get(6)).doubleValue()).isEqualTo(sent.get("TAX_AMOUNT").asDouble());
                assertThat(((Number) row.get(7)).doubleValue()).isEqualTo(sent.get("AMOUNT").asDouble());
                assertThat(((Number) row.get(8)).longValue()).isEqualTo(sent.get("QUANTITY").asLong());
                assertThat(row.get(9)).isEqualTo("TX_10K");
                assertThat(row.get(12)).isNotNull();
            }
            assertThat(lake.count("SELECT count(DISTINCT (_kafka_partition, _kafka_offset)) FROM " + t)).isEqualTo(10_000);

            // every file name carries topic, partition and the offset range of its rows
            for (List<Object> f : lake.rows("SELECT filename, _kafka_partition, min(_kafka_offset), max(_kafka_offset) FROM " + t
                    + " GROUP BY ALL")) {
                assertThat(Path.of((String) f.get(0)).getFileName().toString())
                        .matches("data_\\d{8}_\\d{6}_TX_10K\\+" + f.get(1) + "\\+" + f.get(2) + "\\+" + f.get(3) + "\\.parquet");
            }

            JsonNode meta = JSON.readTree(service.lakeRoot().resolve("streams/tx_10k/_metadata.json").toFile());
            assertThat(meta.get("total_records").asLong()).isEqualTo(10_000);
            assertThat(meta.get("partitions")).hasSize(3);
            assertThat(meta.get("partitions").get(0).get("path").asText()).isEqualTo("year=2025/month=10/day=13");
            assertThat(meta.get("type").asText()).isEqualTo("stream");
            assertThat(meta.get("last_export").asText()).isNotEmpty();
            long logged = 0;
            for (Path log : Files.list(service.lakeRoot().resolve("logs")).toList()) {
                logged += Files.readAllLines(log).stream().map(l -> {
                    try {
                        return JSON.readTree(l);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).filter(l -> l.get("feed").asText().equals("tx_10k") && l.get("action").asText().equals("publish"))
                        .mapToLong(l -> l.get("records").asLong()).sum();
            }
            assertThat(logged).isEqualTo(10_000);

            service.stop();
            // offsets committed after publish, for both partitions
            assertThat(KafkaSupport.committed("camel-datalake-tx_10k", "TX_10K"))
                    .isEqualTo(KafkaSupport.endOffsets("TX_10K", 2));
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(10_000);
        }
    }

    @Test
    void badRecordsAreRejectedWithReasonAndOffsetAndTheFeedGoesOn() throws Exception {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(transactions("TX_BAD", 0, 2, 40, null));
        byte[][] bad = {
                "{\"TRANSACTION_ID\": \"broken".getBytes(StandardCharsets.UTF_8),          // not JSON
                "[1, 2, 3]".getBytes(StandardCharsets.UTF_8),                               // not an object
                "{\"TRANSACTION_ID\":\"T-X\",\"TIMESTAMP\":\"yesterday\"}".getBytes(StandardCharsets.UTF_8), // bad date
                "{\"TRANSACTION_ID\":\"T-Y\",\"TIMESTAMP\":\"2025-10-13T10:00:00Z\",\"LOCATION\":\"Paris\"}".getBytes(StandardCharsets.UTF_8), // object field as text
                {(byte) 0xC3, (byte) 0x28, '{', '}'},                                      // not UTF-8
        };
        for (byte[] b : bad) {
            records.add(new ProducerRecord<>("TX_BAD", 0, 0L + DAY1.toEpochDay() * 86_400_000L, "k", b));
        }
        records.addAll(transactions("TX_BAD", 0, 3, 40, null)); // all on partition 0: bad ones at offsets 40..44
        KafkaSupport.send(records);
        try (Service service = new Service(dir)) {
            service.kafkaFeed("tx_bad", "TX_BAD");
            service.set("datalake.append.max-age", "1s").start();
            Lake lake = service.lake();
            await().atMost(60, SECONDS).until(() -> lake.streamRows("tx_bad") >= 80 && rejected(service).size() >= 5);
            service.stop();

            assertThat(lake.streamRows("tx_bad")).isEqualTo(80);
            assertThat(lake.count("SELECT count(*) FROM " + lake.stream("tx_bad") + " WHERE TRANSACTION_ID IN ('T-X', 'T-Y')")).isZero();
            List<JsonNode> lines = rejected(service);
            assertThat(lines).hasSize(5);
            List<String> reasons = lines.stream().map(l -> l.get("reason").asText()).toList();
            assertThat(reasons).anyMatch(r -> r.startsWith("not valid JSON"));
            assertThat(reasons).anyMatch(r -> r.startsWith("not a JSON object"));
            assertThat(reasons).anyMatch(r -> r.contains("TIMESTAMP does not parse"));
            assertThat(reasons).anyMatch(r -> r.contains("field LOCATION: cannot widen object to string"));
            for (JsonNode l : lines) {
                assertThat(l.get("topic").asText()).isEqualTo("TX_BAD");
                assertThat(l.get("partition").asInt()).isEqualTo(0);
                assertThat(l.has("offset")).isTrue();
            }
            // positions are those Kafka gave the bad records
            List<Long> offsets = lines.stream().map(l -> l.get("offset").asLong()).sorted().toList();
            assertThat(offsets).containsExactly(40L, 41L, 42L, 43L, 44L);
            assertThat(lines).anyMatch(l -> l.has("value_base64")); // the non-UTF-8 value is kept byte for byte
            assertThat(lines).anyMatch(l -> l.path("value").asText().equals("[1, 2, 3]"));

            JsonNode meta = JSON.readTree(service.lakeRoot().resolve("streams/tx_bad/_metadata.json").toFile());
            assertThat(meta.get("rejected_records").asLong()).isEqualTo(5);
            assertThat(KafkaSupport.committed("camel-datalake-tx_bad", "TX_BAD")).isEqualTo(Map.of(0, 85L));
        }
    }

    private static List<JsonNode> rejected(Service service) throws Exception {
        Path dir = service.lakeRoot().resolve("_rejected/tx_bad");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    @Test
    void filesRotateByRecordCountAndByAge() throws Exception {
        LocalDate day = LocalDate.of(2025, 10, 14);
        TransactionGenerator gen = new TransactionGenerator(4, day, 1);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // one schema throughout, so that only the record limit closes files (schema changes are tested elsewhere)
            TransactionGenerator.Transaction t = gen.next();
            String json = t.json().replace("\"TAX_AMOUNT\":0}", "\"TAX_AMOUNT\":0.0}")
                    .replace("\"DISCOUNT_CODE\":null", "\"DISCOUNT_CODE\":\"NONE\"");
            records.add(new ProducerRecord<>("TX_ROT_RECORDS", 0, t.eventTimeMillis(), t.userId(), json.getBytes(StandardCharsets.UTF_8)));
        }
        KafkaSupport.send(records);
        try (Service service = new Service(dir)) {
            service.kafkaFeed("by_records", "TX_ROT_RECORDS");
            service.feedFile("by_age.json", """
                    {"feed_name": "by_age", "feed_type": "stream", "kafka_topic": "TX_ROT_AGE",
                     "partitioning": {"type": "date", "timestamp_field": "TIMESTAMP"},
                     "rotation": {"max_records": 1000000, "max_age": "2s"}}
                    """);
            service.set("datalake.append.max-records", "100").set("datalake.append.max-age", "10m").start();
            Lake lake = service.lake();
            // by records: 1000 records, 100 per file, published without waiting for age
            await().atMost(60, SECONDS).until(() -> lake.streamRows("by_records") == 1000);
            List<List<Object>> files = lake.rows("SELECT filename, count(*) FROM " + lake.stream("by_records") + " GROUP BY ALL");
            assertThat(files).hasSize(10).allSatisfy(f -> assertThat(((Number) f.get(1)).longValue()).isEqualTo(100));

            // by age: a few records, far below the record limit, published by the idle timer while nothing else arrives
            for (int round = 1; round <= 2; round++) {
                List<ProducerRecord<String, byte[]>> few = new ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    TransactionGenerator.Transaction t = gen.next();
                    few.add(new ProducerRecord<>("TX_ROT_AGE", 0, t.eventTimeMillis(), t.userId(), t.json().getBytes(StandardCharsets.UTF_8)));
                }
                KafkaSupport.send(few);
                long expected = 7L * round;
                await().atMost(30, SECONDS).until(() -> lake.streamRows("by_age") == expected);
                // no record follows, yet the offsets of what the idle timer published are committed, service running
                await().atMost(10, SECONDS).until(() -> KafkaSupport.committed("camel-datalake-by_age", "TX_ROT_AGE")
                        .equals(Map.of(0, expected)));
            }
            assertThat(lake.rows("SELECT filename, count(*) FROM " + lake.stream("by_age") + " GROUP BY ALL"))
                    .hasSize(2).allSatisfy(f -> assertThat(((Number) f.get(1)).longValue()).isEqualTo(7));
        }
    }

    @Test
    void brokenFeedFilesAreReportedByFileAndFieldWhileTheOthersRun() throws Exception {
        KafkaSupport.send(transactions("TX_GOOD", 5, 100, null));
        try (Service service = new Service(dir)) {
            service.kafkaFeed("good", "TX_GOOD");
            service.feedFile("a_bad_json.json", "{\"feed_name\": \"x\", \"feed_type\": ");
            service.feedFile("b_bad_type.json", "{\"feed_name\": \"y\", \"feed_type\": \"view\"}");
            service.feedFile("c_bad_name.json", "{\"feed_name\": \"Payment-Stream\", \"feed_type\": \"stream\"}");
            service.feedFile("z_duplicate.json", "{\"feed_name\": \"good\", \"feed_type\": \"stream\", \"kafka_topic\": \"OTHER\"}");
            service.feedFile("e_ksqldb.json", "{\"feed_name\": \"later\", \"feed_type\": \"table\"}");
            service.set("datalake.append.max-age", "1s").start();
            await().atMost(60, SECONDS).until(() -> service.lake().streamRows("good") == 100);

            Map<String, FeedStatus> byFile = new HashMap<>();
            service.feeds().status().forEach(s -> byFile.put(Path.of(s.file()).getFileName().toString(), s));
            assertThat(byFile.get("good.json").state()).isEqualTo(State.RUNNING);
            assertThat(byFile.get("a_bad_json.json").state()).isEqualTo(State.INVALID);
            assertThat(byFile.get("a_bad_json.json").detail()).contains("a_bad_json.json").contains("not valid JSON at line 1");
            assertThat(byFile.get("b_bad_type.json").detail()).contains("b_bad_type.json").contains("field 'feed_type'").contains("'view'");
            assertThat(byFile.get("c_bad_name.json").detail()).contains("c_bad_name.json").contains("field 'feed_name'");
            assertThat(byFile.get("z_duplicate.json").detail()).contains("z_duplicate.json").contains("field 'feed_name'")
                    .contains("already declared by good.json");
            assertThat(byFile.get("e_ksqldb.json").state()).isEqualTo(State.RUNNING); // a ksqlDB table on its schedule
            assertThat(service.context().getRoute("feed-good")).isNotNull();
            assertThat(service.context().getRoutes()).filteredOn(r -> r.getRouteId().startsWith("feed-"))
                    .extracting(r -> r.getRouteId()).containsExactlyInAnyOrder("feed-good", "feed-later");
            assertThat(Files.exists(service.lakeRoot().resolve("streams/x"))).isFalse();
        }
    }
}
