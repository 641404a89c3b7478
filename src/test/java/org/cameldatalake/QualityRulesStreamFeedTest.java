package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.report.LakeReport;
import org.cameldatalake.report.LakeReports;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality rules on stream feeds, through the real service: a Kafka topic on a real broker and a ksqlDB stream poll.
 * Records that break a rule go to {@code _rejected/} with the rule and the value, the rest land (read back with
 * DuckDB), their offsets count as consumed, and the counts per rule reach {@code _metadata.json}, metrics and report.
 */
class QualityRulesStreamFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = """
            [{"column": "AMOUNT", "rule": "min", "value": 0},
             {"column": "TRANSACTION_ID", "rule": "not_null"},
             {"column": "CURRENCY", "rule": "in", "values": ["USD", "EUR"]},
             {"column": "USER_ID", "rule": "regex", "value": "^user_\\\\d+$"},
             {"column": "TRANSACTION_ID", "rule": "unique"}]""";

    @TempDir
    Path dir;

    private static ProducerRecord<String, byte[]> tx(String topic, int partition, String id, String user, String amount,
                                                     String currency) {
        String json = "{\"TRANSACTION_ID\": " + (id == null ? "null" : "\"" + id + "\"") + ", \"USER_ID\": \"" + user
                + "\", \"AMOUNT\": " + amount + ", \"CURRENCY\": \"" + currency
                + "\", \"TIMESTAMP\": \"2025-10-13T10:00:00Z\"}";
        return new ProducerRecord<>(topic, partition, Instant.parse("2025-10-13T10:00:00Z").toEpochMilli(), user,
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void kafkaRecordsBreakingARuleGoToRejectedTheRestLandAndEveryOffsetIsConsumed() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_CHECKED"));
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(tx("TX_CHECKED", i % 2, "T-" + i, "user_" + i, i + ".5", i % 2 == 0 ? "USD" : "EUR"));
        }
        records.add(tx("TX_CHECKED", 0, "T-BAD-1", "user_1", "-3", "USD"));
        records.add(tx("TX_CHECKED", 1, null, "user_2", "1", "USD"));
        records.add(tx("TX_CHECKED", 0, "T-BAD-3", "user_3", "1", "GBP"));
        records.add(tx("TX_CHECKED", 1, "T-BAD-4", "USER-7", "1", "EUR"));
        records.add(tx("TX_CHECKED", 0, "T-2", "user_2", "1", "USD")); // T-2 went to partition 0 in the same batch
        records.add(tx("TX_CHECKED", 1, "T-41", "user_41", "2", "EUR"));
        KafkaSupport.send(records);

        try (Service s = new Service(dir)) {
            s.feedFile("tx_checked.json", """
                    {"feed_name": "tx_checked", "feed_type": "stream", "source": "kafka", "kafka_topic": "TX_CHECKED",
                     "partitioning": {"type": "date", "columns": ["year", "month", "day"], "timestamp_field": "TIMESTAMP"},
                     "quality": %s}""".formatted(RULES));
            s.set("datalake.append.max-age", "1s").start();
            Lake lake = s.lake();
            String t = lake.stream("tx_checked");
            await().atMost(60, SECONDS).until(() -> lake.streamRows("tx_checked") >= 41
                    && KafkaSupport.committed("camel-datalake-tx_checked", "TX_CHECKED").equals(Map.of(0, 23L, 1, 23L)));

            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(41);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(41);
            assertThat(lake.count("SELECT count(*) FROM " + t + " WHERE TRANSACTION_ID LIKE 'T-BAD-%' OR TRANSACTION_ID IS NULL"))
                    .isZero();

            List<JsonNode> lines = rejectedLines(s.lakeRoot().resolve("_rejected/tx_checked"));
            assertThat(lines).extracting(l -> l.path("reason").asText()).containsExactlyInAnyOrder(
                    "rule min on AMOUNT: -3 < 0",
                    "rule not_null on TRANSACTION_ID: null",
                    "rule in on CURRENCY: 'GBP' not in ['USD', 'EUR']",
                    "rule regex on USER_ID: 'USER-7' does not match ^user_\\d+$",
                    "rule unique on TRANSACTION_ID: 'T-2' already in this batch");
            JsonNode min = lines.stream().filter(l -> l.path("rule").asText().equals("min")).findFirst().orElseThrow();
            assertThat(min.path("column").asText()).isEqualTo("AMOUNT");
            assertThat(min.path("bad_value").decimalValue()).isEqualByComparingTo(new BigDecimal("-3"));
            assertThat(min.path("value").path("TRANSACTION_ID").asText()).isEqualTo("T-BAD-1");
            assertThat(min.path("topic").asText()).isEqualTo("TX_CHECKED");
            assertThat(min.path("partition").asInt()).isZero();
            assertThat(min.path("offset").asLong()).isEqualTo(20);
            // DuckDB reads the rejected lines too
            assertThat(lake.count("SELECT count(*) FROM read_json_auto('" + s.lakeRoot().resolve("_rejected/tx_checked")
                    + "/*/*.jsonl') WHERE rule = 'in'")).isEqualTo(1);

            Map<String, Long> expected = new LinkedHashMap<>();
            List.of("min:AMOUNT", "not_null:TRANSACTION_ID", "in:CURRENCY", "regex:USER_ID", "unique:TRANSACTION_ID")
                    .forEach(l -> expected.put(l, 1L));
            JsonNode meta = JSON.readTree(s.lakeRoot().resolve("streams/tx_checked/_metadata.json").toFile());
            assertThat(meta.path("rejected_records").asLong()).isEqualTo(5);
            assertThat(counts(meta.path("quality_rejected"))).containsExactlyInAnyOrderEntriesOf(expected);
            MeterRegistry registry = s.context().getRegistry().findSingleByType(MeterRegistry.class);
            await().untilAsserted(() -> assertThat(registry.find("datalake.quality.rejected").tag("feed", "tx_checked")
                    .tag("rule", "unique").tag("column", "TRANSACTION_ID").functionCounter().count()).isEqualTo(1.0));
            assertThat(registry.find("datalake.quality.rejected").tag("feed", "tx_checked").tag("rule", "min")
                    .functionCounter().count()).isEqualTo(1.0);
            LakeReport report;
            try (Storage storage = Storages.open(s.lakeRoot().toString())) {
                report = LakeReports.build(storage, s.feedsDir(), Clock.systemUTC());
            }
            assertThat(report.feeds().stream().filter(f -> f.feed().equals("tx_checked")).findFirst().orElseThrow()
                    .qualityRejected()).containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    @Test
    void ksqlDbStreamPollRowsBreakingARuleGoToRejectedAndThePollMovesOn() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source stream = ksqldb.createStream("PAYMENTS_CHECKED", "PAYMENTS_CHECKED", List.of(
                    "TRANSACTION_ID STRING", "USER_ID STRING", "AMOUNT DECIMAL(10, 2)", "CURRENCY STRING"), List.of());
            long t0 = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
            for (int i = 0; i < 10; i++) {
                stream.insert(t0 + i * 1000L, "P-" + i, "user_" + i, new BigDecimal(i + ".10"), "USD");
            }
            stream.insert(t0 + 20_000, "P-BAD", "user_1", new BigDecimal("-1.00"), "USD");
            stream.insert(t0 + 21_000, "P-3", "user_3", new BigDecimal("1.00"), "USD");
            try (Service s = new Service(dir)) {
                s.feedFile("payments_checked.json", """
                        {"feed_name": "payments_checked", "feed_type": "stream", "source": "ksqldb",
                         "ksqldb_source": "PAYMENTS_CHECKED", "schedule": "0 0 0 1 1 ? 2099", "quality": %s}"""
                        .formatted(RULES.replace("\"CURRENCY\", \"rule\": \"in\", \"values\": [\"USD\", \"EUR\"]",
                                "\"CURRENCY\", \"rule\": \"in\", \"values\": [\"USD\"]")));
                s.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0").start();
                FeedRouteManager m = s.feeds();
                assertThat(m.exportOnce(m.catalog().feed("payments_checked")))
                        .startsWith("10 rows landed, 2 rejected, 0 already in the lake; watermark ROWTIME " + (t0 + 21_000));
                stream.insert(t0 + 30_000, "P-3", "user_3", new BigDecimal("1.00"), "USD"); // another poll: unique again
                assertThat(m.exportOnce(m.catalog().feed("payments_checked"))).startsWith("1 rows landed, 0 rejected");

                Lake lake = s.lake();
                assertThat(lake.count("SELECT count(*) FROM " + lake.stream("payments_checked"))).isEqualTo(11);
                assertThat(rejectedLines(s.lakeRoot().resolve("_rejected/payments_checked")))
                        .extracting(l -> l.path("rule").asText() + " " + l.path("value").path("TRANSACTION_ID").asText())
                        .containsExactlyInAnyOrder("min P-BAD", "unique P-3");
                JsonNode meta = JSON.readTree(s.lakeRoot().resolve("streams/payments_checked/_metadata.json").toFile());
                assertThat(meta.path("quality_rejected").path("min:AMOUNT").asLong()).isEqualTo(1);
                assertThat(meta.path("quality_rejected").path("unique:TRANSACTION_ID").asLong()).isEqualTo(1);
                assertThat(meta.path("watermarks").path("PAYMENTS_CHECKED").asLong()).isEqualTo(t0 + 30_000);
            }
        }
    }

    static List<JsonNode> rejectedLines(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String l : Files.readAllLines(f)) {
                    out.add(JSON.readTree(l));
                }
            }
        }
        return out;
    }

    private static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }
}
