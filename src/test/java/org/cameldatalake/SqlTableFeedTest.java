package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.report.LakeReport;
import org.cameldatalake.report.ReportWriter;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.DemoTopics;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL feeds through the real service: a Kafka stream feed lands seed-004 transactions from the test broker, then SQL
 * table feeds compute versions from it (and from each other) with DuckDB; the lake is read back with DuckDB directly.
 */
class SqlTableFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY1 = LocalDate.of(2025, 3, 1);
    /** A schedule that never fires during a test: these tests take their versions with exportOnce. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";

    @TempDir
    static Path dir;
    private static Service service;
    private static List<TransactionGenerator.Transaction> sent;

    @BeforeAll
    static void landTransactions() throws Exception {
        DemoTopics topics = new DemoTopics("SQLFEED_");
        sent = topics.send(7, 3_000, DAY1, 3);
        service = new Service(dir);
        topics.feed(service, "transactions_secure");
        service.set("datalake.feeds.autostart", "false").start();
        export("transactions_secure");
        assertThat(service.lake().streamRows("transactions_secure")).isEqualTo(3_000);
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    private static String export(String feed) throws Exception {
        FeedRouteManager m = service.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private static void sqlFeed(String name, String sql, Map<String, Object> more) throws Exception {
        ObjectNode json = JSON.createObjectNode().put("feed_name", name).put("feed_type", "table").put("source", "sql")
                .put("sql", sql).put("schedule", NEVER);
        more.forEach((k, v) -> json.set(k, JSON.valueToTree(v)));
        service.feedFile(name + ".json", json.toPrettyString());
    }

    private static JsonNode metadata(String feed) throws Exception {
        return JSON.readTree(service.lakeRoot().resolve("tables").resolve(feed).resolve("_metadata.json").toFile());
    }

    private static String version(String feed, int v) {
        // without hive_partitioning DuckDB would add the folder's version=vN as a column
        return "read_parquet('" + service.lakeRoot().resolve("tables").resolve(feed).resolve("version=v" + v)
                + "/*.parquet', hive_partitioning = false)";
    }

    private static List<String> versionDirs(String feed) throws Exception {
        try (Stream<Path> s = Files.list(service.lakeRoot().resolve("tables").resolve(feed))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version=")).sorted().toList();
        }
    }

    @Test
    void aSqlFeedPublishesItsAnswerAsAVersionAndOtherSqlFeedsReadIt() throws Exception {
        String sql = "SELECT year, month, day, CURRENCY, sum(AMOUNT) AS revenue FROM transactions_secure GROUP BY ALL";
        sqlFeed("daily_revenue", sql, Map.of());
        assertThat(export("daily_revenue")).startsWith("version v1 (18 rows)"); // 3 days × 6 currencies
        Lake lake = service.lake();
        String direct = "SELECT year, month, day, CURRENCY, round(sum(AMOUNT), 6) FROM " + lake.stream("transactions_secure")
                + " GROUP BY ALL ORDER BY ALL";
        assertThat(lake.rows("SELECT year, month, day, CURRENCY, round(revenue, 6) FROM " + version("daily_revenue", 1)
                + " ORDER BY ALL")).isEqualTo(lake.rows(direct));
        double produced = sent.stream().mapToDouble(TransactionGenerator.Transaction::amount).sum();
        assertThat(((Number) lake.rows("SELECT sum(revenue) FROM " + version("daily_revenue", 1)).get(0).get(0)).doubleValue())
                .isCloseTo(produced, within(1e-6));
        assertThat(lake.rows("SELECT typeof(year), typeof(CURRENCY), typeof(revenue) FROM " + version("daily_revenue", 1)
                + " LIMIT 1").toString()).isEqualTo("[[INTEGER, VARCHAR, DOUBLE]]");
        JsonNode meta = metadata("daily_revenue");
        assertThat(meta.get("current_version").asInt()).isEqualTo(1);
        assertThat(meta.get("source_kind").asText()).isEqualTo("sql");
        assertThat(meta.get("source").asText()).isEqualTo(sql);
        assertThat(meta.get("versions").get(0).get("schema").asText()).contains("`revenue` DOUBLE");

        // a SQL feed reading a SQL feed (its current version) joined with a stream feed
        sqlFeed("revenue_share", "SELECT r.CURRENCY, r.revenue / t.total AS share FROM (SELECT CURRENCY, "
                + "sum(revenue) AS revenue FROM daily_revenue GROUP BY ALL) r CROSS JOIN (SELECT sum(AMOUNT) AS total "
                + "FROM transactions_secure) t", Map.of("security_level", "public"));
        assertThat(export("revenue_share")).startsWith("version v1 (6 rows)");
        assertThat(((Number) lake.rows("SELECT sum(share) FROM " + version("revenue_share", 1)).get(0).get(0)).doubleValue())
                .isCloseTo(1.0, within(1e-9));

        LakeReport.Feed reported = service.context().getRegistry().lookupByNameAndType("reports", ReportWriter.class).build()
                .feeds().stream().filter(f -> f.feed().equals("daily_revenue")).findFirst().orElseThrow();
        assertThat(reported.sourceKind()).isEqualTo("sql");
        assertThat(reported.currentVersion()).isEqualTo(1);
        assertThat(reported.records()).isEqualTo(18);
    }

    @Test
    void aFailingQueryPublishesNothingAndKeepsTheCurrentVersion() throws Exception {
        sqlFeed("by_currency", "SELECT CURRENCY, count(*) AS n FROM transactions_secure GROUP BY ALL", Map.of());
        assertThat(export("by_currency")).startsWith("version v1 (6 rows)");
        service.kafkaFeed("empty_stream", "SQLFEED_NOTHING_HERE");
        Map<String, String> failures = Map.of(
                "SELECT NO_SUCH_COLUMN FROM transactions_secure", "NO_SUCH_COLUMN",
                "SELECT * FROM no_such_feed", "no feed named 'no_such_feed'",
                "SELECT * FROM empty_stream", "feed 'empty_stream' has landed no data yet",
                // the first rows fit, the last does not: the Parquet file is begun, then abandoned
                "SELECT x::HUGEINT * 85070591730234615865843651857942052863 AS too_wide FROM range(0, 3) t(x)",
                "does not fit DECIMAL(38, 0)");
        for (Map.Entry<String, String> f : failures.entrySet()) {
            sqlFeed("by_currency", f.getKey(), Map.of());
            assertThatThrownBy(() -> export("by_currency")).satisfies(e -> assertThat(FeedRouteManager.reason(e))
                    .as(f.getKey()).contains(f.getValue()));
            JsonNode meta = metadata("by_currency");
            assertThat(meta.get("current_version").asInt()).isEqualTo(1);
            assertThat(meta.get("last_error").asText()).contains("version v1 stays current").contains(f.getValue());
            assertThat(versionDirs("by_currency")).containsExactly("version=v1");
            Path temporary = service.lakeRoot().resolve("tables/by_currency/_temporary");
            assertThat(!Files.exists(temporary) || Files.list(temporary).findAny().isEmpty()).as("no temporary file left").isTrue();
        }
        assertThat(service.lake().count("SELECT count(*) FROM " + version("by_currency", 1))).isEqualTo(6);
        try (Stream<Path> logs = Files.list(service.lakeRoot().resolve("logs"))) {
            String log = String.join("\n", logs.map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
            assertThat(log).contains("\"action\":\"snapshot_failed\"").contains("no feed named 'no_such_feed'");
        }
        sqlFeed("by_currency", "SELECT CURRENCY, count(*) AS n FROM transactions_secure GROUP BY ALL", Map.of());
        assertThat(export("by_currency")).startsWith("version v2 (6 rows)");
        assertThat(metadata("by_currency").get("last_error").isNull()).isTrue();
    }

    @Test
    void retentionRollbackAndReadersFollowTheCurrentVersionNotTheHighest() throws Exception {
        for (int run = 1; run <= 3; run++) {
            sqlFeed("counter", "SELECT " + run + " AS run", Map.of("retention_versions", 2, "security_level", "public"));
            assertThat(export("counter")).startsWith("version v" + run + " (1 rows)");
        }
        assertThat(versionDirs("counter")).containsExactly("version=v2", "version=v3");
        assertThat(metadata("counter").get("versions").findValuesAsText("version")).containsExactly("2", "3");
        sqlFeed("counter_x10", "SELECT run * 10 AS x FROM counter", Map.of("security_level", "public"));
        assertThat(export("counter_x10")).startsWith("version v1");
        assertThat(service.lake().rows("SELECT x FROM " + version("counter_x10", 1)).toString()).isEqualTo("[[30]]");

        Map<String, String> settings = Map.of("datalake.root", service.lakeRoot().toString(),
                "datalake.feeds.dir", service.feedsDir().toString());
        Cli.Result rollback = Cli.run(dir, settings, "rollback", "--table", "counter", "--to", "v2");
        assertThat(rollback.exit()).as(String.join("\n", rollback.err())).isZero();
        assertThat(metadata("counter").get("current_version").asInt()).isEqualTo(2);
        // the SQL feed reading counter reads its current version, v2, not the highest, v3
        assertThat(export("counter_x10")).startsWith("version v2");
        assertThat(service.lake().rows("SELECT x FROM " + version("counter_x10", 2)).toString()).isEqualTo("[[20]]");
    }

    @Test
    void everySqlTypeReadsBackWithItsType() throws Exception {
        sqlFeed("types", """
                SELECT 1::TINYINT AS ti, 2::SMALLINT AS si, 3::INTEGER AS i, 4::BIGINT AS bi, 5::UINTEGER AS ui,
                       170141183460469231731687303715884105::HUGEINT AS hi, 18446744073709551615::UBIGINT AS ub,
                       sum(x) AS total, 12345678901234.567::DECIMAL(18, 3) AS dec, 2.5::FLOAT AS f, 0.1::DOUBLE AS d,
                       'thé' AS s, true AS b, '\\x00\\xFF'::BLOB AS bytes, DATE '2025-01-02' AS dt,
                       TIME '12:34:56.789' AS tm, TIMESTAMP '2025-01-02 03:04:05.123456' AS ts,
                       TIMESTAMPTZ '2025-01-02 03:04:05.123456+00' AS tstz, [1, NULL, 3] AS l,
                       {'a': 1.5::DOUBLE, 'b c': [DATE '2025-01-01'], 'd': {'e': 'f'}} AS st, MAP {'k': 1.5::DOUBLE} AS m,
                       'a5b2c8f0-0c1e-4a5b-9c3d-2e4f6a7b8c9d'::UUID AS u, INTERVAL 1 DAY AS iv, NULL::INTEGER AS n,
                       [TIMESTAMP '2025-01-02 03:04:05'] AS tl
                FROM range(1, 5) t(x)""", Map.of());
        assertThat(export("types")).startsWith("version v1 (1 rows)");
        Lake lake = service.lake();
        String v1 = version("types", 1);
        assertThat(lake.rows("SELECT typeof(COLUMNS(*)) FROM " + v1).get(0).stream().map(String::valueOf).toList())
                .containsExactly("INTEGER", "INTEGER", "INTEGER", "BIGINT", "BIGINT", "DECIMAL(38,0)", "DECIMAL(20,0)",
                        "DECIMAL(38,0)", "DECIMAL(18,3)", "FLOAT", "DOUBLE", "VARCHAR", "BOOLEAN", "BLOB", "DATE",
                        "TIME WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "INTEGER[]",
                        "STRUCT(a DOUBLE, b_c DATE[], d STRUCT(e VARCHAR))", "MAP(VARCHAR, DOUBLE)", "VARCHAR", "VARCHAR",
                        "INTEGER", "TIMESTAMP[]");
        assertThat(lake.rows("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM " + v1).get(0).stream().map(String::valueOf).toList())
                .containsExactly("1", "2", "3", "4", "5", "170141183460469231731687303715884105", "18446744073709551615",
                        "10", "12345678901234.567", "2.5", "0.1", "thé", "true", "\\x00\\xFF", "2025-01-02",
                        "12:34:56.789+00", "2025-01-02 03:04:05.123456", "2025-01-02 03:04:05.123456+00", "[1, NULL, 3]",
                        "{'a': 1.5, 'b_c': [2025-01-01], 'd': {'e': f}}", "{k=1.5}", "a5b2c8f0-0c1e-4a5b-9c3d-2e4f6a7b8c9d",
                        "1 day", "null", "['2025-01-02 03:04:05']");
    }

    @Test
    void aStreamWhoseSchemaGrewReadsWithItsNewColumns() throws Exception {
        KafkaSupport.broker().createTopics(1, List.of("SQLFEED_EVOLVING"));
        service.kafkaFeed("evolving", "SQLFEED_EVOLVING");
        KafkaSupport.send(List.of(record("{\"TIMESTAMP\": \"2025-03-01T10:00:00Z\", \"ID\": 1}")));
        export("evolving");
        KafkaSupport.send(List.of(record("{\"TIMESTAMP\": \"2025-03-01T11:00:00Z\", \"ID\": 2, \"EXTRA\": \"new\"}")));
        export("evolving");
        assertThat(service.lake().count("SELECT count(DISTINCT filename) FROM " + service.lake().stream("evolving"))).isEqualTo(2);
        sqlFeed("evolved", "SELECT ID, EXTRA FROM evolving ORDER BY ID", Map.of());
        assertThat(export("evolved")).startsWith("version v1 (2 rows)");
        assertThat(service.lake().rows("SELECT ID, EXTRA FROM " + version("evolved", 1)).toString()).isEqualTo("[[1, null], [2, new]]");
    }

    private static org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record(String json) {
        return new org.apache.kafka.clients.producer.ProducerRecord<>("SQLFEED_EVOLVING", "k",
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aSqlFeedRunsOnItsSchedule() throws Exception {
        sqlFeed("scheduled", "SELECT count(*) AS n FROM transactions_secure", Map.of("schedule", "0/1 * * * * ?"));
        service.feeds().startAll();
        try {
            await().atMost(20, SECONDS).until(() -> Files.isDirectory(service.lakeRoot().resolve("tables/scheduled/version=v2")));
            assertThat(service.context().getRoute("feed-scheduled")).isNotNull();
            assertThat(service.lake().count("SELECT n FROM " + version("scheduled", 2))).isEqualTo(3_000);
        } finally {
            service.feeds().stop("scheduled");
        }
    }
}
