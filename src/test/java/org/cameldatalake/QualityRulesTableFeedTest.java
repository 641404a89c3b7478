package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.report.LakeReport;
import org.cameldatalake.report.LakeReports;
import org.cameldatalake.report.ReportFormats;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ksqlDB table feed with quality rules, through the real service: rows that break a rule go to {@code _rejected/}
 * with the rule and the value, the others land (read back with DuckDB), and the counts per rule are in
 * {@code _metadata.json}, the metrics and the report.
 */
class QualityRulesTableFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES = """
            [{"column": "AMOUNT", "rule": "min", "value": 0},
             {"column": "USER_ID", "rule": "not_null"},
             {"column": "CURRENCY", "rule": "in", "values": ["USD", "EUR"]},
             {"column": "USER_ID", "rule": "regex", "value": "^user_\\\\d+$"},
             {"column": "REFERENCE", "rule": "unique"},
             {"column": "LOCATION.CITY", "rule": "not_null"}]""";
    private static final List<String> LABELS = List.of("min:AMOUNT", "not_null:USER_ID", "in:CURRENCY", "regex:USER_ID",
            "unique:REFERENCE", "not_null:LOCATION.CITY");

    @TempDir
    Path dir;

    @Test
    void rowsBreakingARuleGoToRejectedWithTheRuleAndTheValueAndTheRestLand() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source table = ksqldb.createTable("TRANSACTIONS_CHECKED", "TRANSACTIONS_CHECKED", List.of(
                    "TRANSACTION_ID STRING", "USER_ID STRING", "AMOUNT DECIMAL(10, 2)", "CURRENCY STRING",
                    "REFERENCE STRING", "LOCATION STRUCT<`CITY` STRING>"), List.of("TRANSACTION_ID"));
            for (int i = 0; i < 20; i++) {
                table.insert(i, "T-" + i, "user_" + i, new BigDecimal(i + ".25"), i % 2 == 0 ? "USD" : "EUR", "REF-" + i,
                        Map.of("CITY", "Paris"));
            }
            table.insert(100, "T-BAD-1", "user_1", new BigDecimal("-3.00"), "USD", "REF-B1", Map.of("CITY", "Paris"));
            table.insert(101, "T-BAD-2", null, new BigDecimal("1.00"), "USD", "REF-B2", Map.of("CITY", "Paris"));
            table.insert(102, "T-BAD-3", "user_3", new BigDecimal("1.00"), "GBP", "REF-B3", Map.of("CITY", "Paris"));
            table.insert(103, "T-BAD-4", "USER-7", new BigDecimal("1.00"), "EUR", "REF-B4", Map.of("CITY", "Paris"));
            table.insert(104, "T-BAD-5", "user_5", new BigDecimal("1.00"), "EUR", "REF-7", Map.of("CITY", "Paris"));
            table.insert(105, "T-BAD-6", "user_6", new BigDecimal("1.00"), "EUR", "REF-B6", null);

            Service service = new Service(dir);
            feed(service, "checked", RULES);
            feed(service, "checked_typo", "[{\"column\": \"AMOUNTT\", \"rule\": \"min\", \"value\": 0}]");
            try (Service s = service.set("datalake.ksqldb.url", ksqldb.url())
                    .set("datalake.ksqldb.retry.maximum-redeliveries", "0").start()) {
                assertThat(snapshot(s, "checked")).isEqualTo("version v1 (20 rows) in tables/checked/version=v1");
                Lake lake = s.lake();
                String v1 = "read_parquet('" + s.lakeRoot().resolve("tables/checked/version=v1") + "/*.parquet')";
                assertThat(lake.count("SELECT count(*) FROM " + v1)).isEqualTo(20);
                assertThat(lake.count("SELECT count(*) FROM " + v1 + " WHERE TRANSACTION_ID LIKE 'T-BAD-%'")).isZero();
                assertThat(lake.rows("SELECT CAST(sum(AMOUNT) AS VARCHAR), count(DISTINCT REFERENCE) FROM " + v1).get(0))
                        .containsExactly("195.00", 20L);

                // one line per rejected row: the rule, the column, the value and the whole row
                List<Path> rejectedFiles = rejectedFiles(s.lakeRoot().resolve("_rejected/checked"));
                assertThat(rejectedFiles).singleElement().satisfies(f ->
                        assertThat(f.getFileName().toString()).matches("snapshot_v1_\\d{8}_\\d{6}\\.jsonl"));
                List<JsonNode> lines = new ArrayList<>();
                for (String l : Files.readAllLines(rejectedFiles.get(0))) {
                    lines.add(JSON.readTree(l));
                }
                assertThat(lines).extracting(l -> l.path("value").path("TRANSACTION_ID").asText())
                        .containsExactly("T-BAD-1", "T-BAD-2", "T-BAD-3", "T-BAD-4", "T-BAD-5", "T-BAD-6");
                assertThat(lines).extracting(l -> l.path("reason").asText()).containsExactly(
                        "rule min on AMOUNT: -3.00 < 0",
                        "rule not_null on USER_ID: null",
                        "rule in on CURRENCY: 'GBP' not in ['USD', 'EUR']",
                        "rule regex on USER_ID: 'USER-7' does not match ^user_\\d+$",
                        "rule unique on REFERENCE: 'REF-7' already in this batch",
                        "rule not_null on LOCATION.CITY: null");
                assertThat(lines).extracting(l -> l.path("rule").asText() + ":" + l.path("column").asText())
                        .containsExactly(LABELS.toArray(String[]::new));
                assertThat(lines.get(0).path("bad_value").decimalValue()).isEqualByComparingTo("-3.00");
                assertThat(lines.get(2).path("bad_value").asText()).isEqualTo("GBP");
                assertThat(lines.get(1).path("bad_value").isNull()).isTrue();
                assertThat(lines.get(0).path("value").path("AMOUNT").decimalValue()).isEqualByComparingTo("-3.00");
                assertThat(lines.get(0).path("source").asText()).isEqualTo("TRANSACTIONS_CHECKED");
                // DuckDB reads the rejected lines too
                assertThat(lake.count("SELECT count(*) FROM read_json_auto('" + rejectedFiles.get(0) + "') WHERE rule = 'min'"))
                        .isEqualTo(1);

                // counts per rule: _metadata.json (version and top level), metrics, report
                JsonNode meta = JSON.readTree(s.lakeRoot().resolve("tables/checked/_metadata.json").toFile());
                assertThat(meta.path("rejected_records").asLong()).isEqualTo(6);
                assertThat(counts(meta.path("quality_rejected"))).isEqualTo(ones());
                assertThat(counts(meta.path("versions").get(0).path("quality_rejected"))).isEqualTo(ones());
                assertThat(meta.path("total_records").asLong()).isEqualTo(20);
                MeterRegistry registry = s.context().getRegistry().findSingleByType(MeterRegistry.class);
                await().untilAsserted(() -> assertThat(registry.find("datalake.quality.rejected").tag("feed", "checked")
                        .functionCounters()).hasSize(6));
                for (String label : LABELS) {
                    String[] rule = label.split(":");
                    FunctionCounter c = registry.find("datalake.quality.rejected").tag("feed", "checked")
                            .tag("rule", rule[0]).tag("column", rule[1]).functionCounter();
                    assertThat(c.count()).as(label).isEqualTo(1.0);
                }
                assertThat(registry.find("datalake.records.rejected").tag("feed", "checked").functionCounter().count())
                        .isEqualTo(6.0);
                LakeReport report;
                try (Storage storage = Storages.open(s.lakeRoot().toString())) {
                    report = LakeReports.build(storage, s.feedsDir(), Clock.systemUTC());
                }
                LakeReport.Feed checked = report.feeds().stream().filter(f -> f.feed().equals("checked")).findFirst().orElseThrow();
                assertThat(checked.rejectedRecords()).isEqualTo(6);
                assertThat(checked.qualityRejected()).isEqualTo(ones());
                assertThat(JSON.readTree(ReportFormats.json(report)).path("feeds").findValues("quality_rejected"))
                        .anySatisfy(q -> assertThat(counts(q)).isEqualTo(ones()));
                assertThat(ReportFormats.stats(report)).contains("  checked: min:AMOUNT 1, not_null:USER_ID 1, in:CURRENCY 1, "
                        + "regex:USER_ID 1, unique:REFERENCE 1, not_null:LOCATION.CITY 1");
                assertThat(ReportFormats.csv(report).lines().filter(l -> l.startsWith("checked,")))
                        .allMatch(l -> l.endsWith(",6,min:AMOUNT=1;not_null:USER_ID=1;in:CURRENCY=1;regex:USER_ID=1;"
                                + "unique:REFERENCE=1;not_null:LOCATION.CITY=1"));

                // a rule on a column the table does not have fails the snapshot, saying which rule
                assertThatThrownBy(() -> snapshot(s, "checked_typo")).satisfies(e -> assertThat(FeedRouteManager.reason(e))
                        .contains("quality[0].column: AMOUNTT is not a column (columns: TRANSACTION_ID, USER_ID, AMOUNT"));
                assertThat(s.lakeRoot().resolve("tables/checked_typo/version=v1")).doesNotExist();
                assertThat(JSON.readTree(s.lakeRoot().resolve("tables/checked_typo/_metadata.json").toFile())
                        .path("last_error").asText()).contains("AMOUNTT is not a column");

                // the data fixed: the next version rejects nothing; the first keeps its counts
                table.delete("T-BAD-1");
                table.insert(200, "T-BAD-2", "user_2", new BigDecimal("1.00"), "USD", "REF-B2", Map.of("CITY", "Paris"));
                assertThat(snapshot(s, "checked")).startsWith("version v2 (21 rows)");
                meta = JSON.readTree(s.lakeRoot().resolve("tables/checked/_metadata.json").toFile());
                assertThat(meta.path("rejected_records").asLong()).isEqualTo(4);
                assertThat(meta.path("quality_rejected").path("not_null:USER_ID").asLong()).isZero();
                assertThat(meta.path("versions").get(0).path("rejected_records").asLong()).isEqualTo(6);
                assertThat(rejectedFiles(s.lakeRoot().resolve("_rejected/checked"))).hasSize(2);
                assertThat(registry.find("datalake.quality.rejected").tag("feed", "checked").tag("rule", "min")
                        .functionCounter().count()).isEqualTo(1.0); // published since the start, all versions
                assertThat(registry.find("datalake.records.rejected").tag("feed", "checked").functionCounter().count())
                        .isEqualTo(10.0);
            }
        }
    }

    private void feed(Service service, String name, String rules) throws Exception {
        service.feedFile(name + ".json", """
                {"feed_name": "%s", "feed_type": "table", "source": "ksqldb", "ksqldb_source": "TRANSACTIONS_CHECKED",
                 "schedule": "0 0 0 1 1 ? 2099", "quality": %s}""".formatted(name, rules));
    }

    private static String snapshot(Service s, String feed) throws Exception {
        FeedRouteManager m = s.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private static List<Path> rejectedFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private static Map<String, Long> ones() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        LABELS.forEach(l -> out.put(l, 1L));
        return out;
    }
}
