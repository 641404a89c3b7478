package org.cameldatalake;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ksqlDB tables as versioned snapshots, against the ksqlDB emulator over real HTTP, read back with DuckDB. */
class KsqlDbTableFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SEED_TABLES = List.of("user_transaction_summary", "user_transaction_summary_eur",
            "payment_method_totals", "product_purchase_counts");

    @TempDir
    Path dir;
    private KsqlDbEmulator ksqldb;
    private final Map<String, KsqlDbEmulator.Source> sources = new LinkedHashMap<>();
    private Service service;

    @BeforeEach
    void start() throws Exception {
        ksqldb = KsqlDbEmulator.start();
        table("USER_TRANSACTION_SUMMARY",
                List.of("USER_ID STRING", "TOTAL_SPENT DOUBLE", "TRANSACTION_COUNT BIGINT"), List.of("USER_ID"));
        table("USER_TRANSACTION_SUMMARY_EUR",
                List.of("USER_ID STRING", "TOTAL_SPENT_EUR DECIMAL(12, 2)", "TRANSACTION_COUNT BIGINT"), List.of("USER_ID"));
        table("PAYMENT_METHOD_TOTALS",
                List.of("PAYMENT_METHOD STRING", "TOTAL_AMOUNT DOUBLE", "TRANSACTION_COUNT BIGINT"), List.of("PAYMENT_METHOD"));
        table("PRODUCT_PURCHASE_COUNTS",
                List.of("PRODUCT_ID STRING", "PURCHASE_COUNT BIGINT"), List.of("PRODUCT_ID"));
        fill(1);
        service = new Service(dir);
        for (String t : SEED_TABLES) {
            Files.copy(Path.of("feeds/active", t + ".json"), service.feedsDir().resolve("active").resolve(t + ".json"));
        }
        // one attempt per export: each fault below is a single response (KsqlDbFaultsTest covers the retries)
        service.set("datalake.ksqldb.url", ksqldb.url()).set("camel.component.http.so-timeout", "2000")
                .set("datalake.ksqldb.retry.maximum-redeliveries", "0").set("datalake.feeds.autostart", "false").start();
    }

    private void table(String name, List<String> columns, List<String> key) {
        sources.put(name, ksqldb.createTable(name, name, columns, key));
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        ksqldb.close();
    }

    /** Rows whose values depend on the round, so that every version is distinguishable. */
    private void fill(int round) {
        for (int u = 0; u < 50; u++) {
            sources.get("USER_TRANSACTION_SUMMARY").insert(1000L * round, "USER-" + u, 10.5 * u + round, (long) u + round);
            sources.get("USER_TRANSACTION_SUMMARY_EUR").insert(1000L * round, "USER-" + u,
                    new BigDecimal("9.45").multiply(BigDecimal.valueOf(u)).add(BigDecimal.valueOf(round)).setScale(2), (long) u);
        }
        for (String m : List.of("apple_pay", "credit_card", "paypal")) {
            sources.get("PAYMENT_METHOD_TOTALS").insert(1000L * round, m, 100.25 * round, (long) round);
        }
        for (int p = 0; p < 20; p++) {
            sources.get("PRODUCT_PURCHASE_COUNTS").insert(1000L * round, "PROD-" + p, (long) p * round);
        }
    }

    private String snapshot(String feed) throws Exception {
        FeedRouteManager m = service.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private JsonNode metadata(String feed) throws Exception {
        return JSON.readTree(service.lakeRoot().resolve("tables").resolve(feed).resolve("_metadata.json").toFile());
    }

    private String version(String feed, int v) {
        return "read_parquet('" + service.lakeRoot().resolve("tables").resolve(feed).resolve("version=v" + v) + "/*.parquet')";
    }

    private List<String> versionDirs(String feed) throws Exception {
        try (Stream<Path> s = Files.list(service.lakeRoot().resolve("tables").resolve(feed))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version=")).sorted().toList();
        }
    }

    @Test
    void theFourSeedTablesLandAsVersionOne() throws Exception {
        Lake lake = service.lake();
        for (String t : SEED_TABLES) {
            assertThat(snapshot(t)).startsWith("version v1 (");
            assertThat(versionDirs(t)).containsExactly("version=v1");
            JsonNode meta = metadata(t);
            assertThat(meta.get("current_version").asInt()).isEqualTo(1);
            assertThat(meta.get("type").asText()).isEqualTo("table");
            assertThat(meta.get("storage_mode").asText()).isEqualTo("overwrite");
            assertThat(meta.get("versions")).hasSize(1);
            assertThat(meta.get("total_records").asLong()).isEqualTo(lake.count("SELECT count(*) FROM " + version(t, 1)));
        }
        assertThat(lake.count("SELECT count(*) FROM " + version("user_transaction_summary", 1))).isEqualTo(50);
        assertThat(lake.rows("SELECT TOTAL_SPENT, TRANSACTION_COUNT FROM " + version("user_transaction_summary", 1)
                + " WHERE USER_ID = 'USER-7'").toString()).isEqualTo("[[74.5, 8]]");
        assertThat(lake.rows("SELECT typeof(TOTAL_SPENT_EUR), CAST(TOTAL_SPENT_EUR AS VARCHAR) FROM "
                + version("user_transaction_summary_eur", 1) + " WHERE USER_ID = 'USER-3'").toString())
                .isEqualTo("[[DECIMAL(12,2), 29.35]]");
        assertThat(lake.count("SELECT count(*) FROM " + version("product_purchase_counts", 1))).isEqualTo(20);
        // the pull query went to /query-stream with sql/properties and an explicit Accept
        KsqlDbEmulator.RecordedRequest req = ksqldb.requests().get(0);
        assertThat(req.path()).isEqualTo("/query-stream");
        assertThat(req.headers().get("accept")).isEqualTo("application/vnd.ksql.v1+json");
        assertThat(JSON.readTree(req.body()).get("sql").asText()).isEqualTo("SELECT * FROM user_transaction_summary;");
        assertThat(JSON.readTree(req.body()).has("properties")).isTrue();
    }

    @Test
    void nineSnapshotsLeaveTheSevenNewestVersions() throws Exception {
        for (int round = 1; round <= 9; round++) {
            fill(round);
            assertThat(snapshot("payment_method_totals")).startsWith("version v" + round + " (3 rows)");
        }
        assertThat(versionDirs("payment_method_totals")).containsExactly("version=v3", "version=v4", "version=v5",
                "version=v6", "version=v7", "version=v8", "version=v9");
        JsonNode meta = metadata("payment_method_totals");
        assertThat(meta.get("current_version").asInt()).isEqualTo(9);
        List<Integer> versions = new ArrayList<>();
        meta.get("versions").forEach(v -> versions.add(v.get("version").asInt()));
        assertThat(versions).containsExactly(3, 4, 5, 6, 7, 8, 9);
        Lake lake = service.lake();
        assertThat(lake.rows("SELECT DISTINCT TOTAL_AMOUNT FROM " + version("payment_method_totals", 9)).toString()).isEqualTo("[[902.25]]");
        assertThat(lake.rows("SELECT DISTINCT TOTAL_AMOUNT FROM " + version("payment_method_totals", 3)).toString()).isEqualTo("[[300.75]]");
    }

    @Test
    void aDroppedResponseAnErrorOrATimeoutLeavesThePreviousVersionCurrent() throws Exception {
        snapshot("user_transaction_summary");
        fill(2);
        ksqldb.dropNextAfterRows("/query-stream", 10);
        ksqldb.failNext("/query-stream", 400, "{\"@type\":\"statement_error\",\"error_code\":40001,"
                + "\"message\":\"The `USER_TRANSACTION_SUMMARY` table isn't queryable.\",\"statementText\":\"SELECT * FROM USER_TRANSACTION_SUMMARY;\",\"entities\":[]}");
        String[] expected = {"connection dropped", "error 40001: The `USER_TRANSACTION_SUMMARY` table isn't queryable.", "did not answer in time"};
        for (String reason : expected) {
            if (reason.startsWith("did not")) {
                ksqldb.delayNext("/query-stream", 4000);
            }
            assertThatThrownBy(() -> snapshot("user_transaction_summary")).satisfies(e ->
                    assertThat(FeedRouteManager.reason(e)).contains(reason));
            assertThat(versionDirs("user_transaction_summary")).containsExactly("version=v1");
            JsonNode meta = metadata("user_transaction_summary");
            assertThat(meta.get("current_version").asInt()).isEqualTo(1);
            assertThat(meta.get("last_error").asText()).contains("version v1 stays current").contains(reason);
            assertThat(service.lakeRoot().resolve("tables/user_transaction_summary/_temporary").toFile().list()).isEmpty();
        }
        ksqldb.malformedNext("/query-stream");
        assertThatThrownBy(() -> snapshot("user_transaction_summary"))
                .satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("not JSON"));
        assertThat(versionDirs("user_transaction_summary")).containsExactly("version=v1");
        // and the next good run publishes v2 with the new data
        assertThat(snapshot("user_transaction_summary")).startsWith("version v2 (50 rows)");
        assertThat(metadata("user_transaction_summary").get("last_error").isNull()).isTrue();
        assertThat(service.lake().rows("SELECT TOTAL_SPENT FROM " + version("user_transaction_summary", 2)
                + " WHERE USER_ID = 'USER-7'").toString()).isEqualTo("[[75.5]]");
    }

    @Test
    void everyKsqlDbTypeReadsBackWithItsTypeAndValue() throws Exception {
        table("TYPED", List.of("ID INTEGER", "AMOUNT DECIMAL(10, 2)", "HAPPENED_AT TIMESTAMP",
                "DAY DATE", "TOD TIME", "RAW BYTES", "OK BOOLEAN", "BIG BIGINT", "RATIO DOUBLE",
                "LOC STRUCT<`CITY` STRING, `ZIP` INTEGER>", "TAGS ARRAY<STRING>", "ATTRS MAP<STRING, INTEGER>"), List.of("ID"));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("a", 1);
        attrs.put("b", 2);
        Map<String, Object> loc = new LinkedHashMap<>();
        loc.put("CITY", "Paris");
        loc.put("ZIP", 75001);
        sources.get("TYPED").insert(1L, 1, new BigDecimal("12345678.90"), Instant.parse("2025-10-13T16:38:28.047Z"),
                LocalDate.of(2025, 10, 13), LocalTime.of(16, 38, 28), new byte[] {0, 1, 2, (byte) 255}, true,
                9_007_199_254_740_993L, 0.1, loc, List.of("x", "y"), attrs);
        sources.get("TYPED").insert(2L, 2, null, null, null, null, null, null, null, null, null, null, null);
        service.feedFile("typed.json", "{\"feed_name\": \"typed\", \"feed_type\": \"table\", \"ksqldb_source\": \"TYPED\"}");
        assertThat(snapshot("typed")).startsWith("version v1 (2 rows)");
        String v1 = version("typed", 1);
        Lake lake = service.lake();
        assertThat(lake.rows("SELECT typeof(ID), typeof(AMOUNT), typeof(HAPPENED_AT), typeof(DAY), typeof(TOD), typeof(RAW), typeof(OK), "
                + "typeof(BIG), typeof(RATIO), typeof(LOC), typeof(TAGS), typeof(ATTRS) FROM " + v1 + " LIMIT 1").get(0))
                .containsExactly("INTEGER", "DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE", "DATE", "TIME WITH TIME ZONE", "BLOB", "BOOLEAN",
                        "BIGINT", "DOUBLE", "STRUCT(CITY VARCHAR, ZIP INTEGER)", "VARCHAR[]", "MAP(VARCHAR, INTEGER)");
        assertThat(lake.rows("SELECT CAST(AMOUNT AS VARCHAR), epoch_ms(HAPPENED_AT), CAST(DAY AS VARCHAR), CAST(TOD AS VARCHAR), "
                + "hex(RAW), OK, BIG, RATIO, LOC.CITY, LOC.ZIP, TAGS[2], ATTRS['b'] FROM " + v1 + " WHERE ID = 1").get(0))
                .containsExactly("12345678.90", 1760373508047L, "2025-10-13", "16:38:28+00", "000102FF", true,
                        9_007_199_254_740_993L, 0.1, "Paris", 75001, "y", 2);
        assertThat(lake.count("SELECT count(*) FROM " + v1 + " WHERE ID = 2 AND AMOUNT IS NULL AND LOC IS NULL AND TAGS IS NULL")).isEqualTo(1);
    }

    @Test
    void rollbackMakesAnOlderVersionCurrentAndTheNextSnapshotMovesOn() throws Exception {
        service.feedFile("short.json", "{\"feed_name\": \"short\", \"feed_type\": \"table\", \"ksqldb_source\": \"PAYMENT_METHOD_TOTALS\", \"retention_versions\": 2}");
        for (int round = 1; round <= 3; round++) {
            fill(round);
            snapshot("short");
        }
        FeedDefinition f = service.feeds().catalog().feed("short");
        service.feeds().openSnapshotWriter(f).rollback(2);
        JsonNode meta = metadata("short");
        assertThat(meta.get("current_version").asInt()).isEqualTo(2);
        assertThat(meta.get("rollback").get("from").asInt()).isEqualTo(3);
        assertThat(versionDirs("short")).containsExactly("version=v2", "version=v3");
        assertThatThrownBy(() -> service.feeds().openSnapshotWriter(f).rollback(1)).hasMessageContaining("no version v1");
        // two newer snapshots: v2 would fall out of retention, but v4 and v5 are newer and current moves on
        snapshot("short");
        assertThat(metadata("short").get("current_version").asInt()).isEqualTo(4);
        assertThat(versionDirs("short")).containsExactly("version=v3", "version=v4");
        service.feeds().openSnapshotWriter(f).rollback(3);
        snapshot("short");
        assertThat(versionDirs("short")).containsExactly("version=v4", "version=v5");
    }

    @Test
    void windowedTablesKeepTheirWindowBoundsAsTimestamps() throws Exception {
        KsqlDbEmulator.Source w = ksqldb.createWindowedTable("SPEND_LAST_FIVE_MIN_BY_TYPE", "SPEND_LAST_FIVE_MIN_BY_TYPE",
                "TUMBLING", 300_000, List.of("TRANSACTION_TYPE STRING", "TOTAL_SPENT DOUBLE"), List.of("TRANSACTION_TYPE"));
        long start = Instant.parse("2025-10-13T16:35:00Z").toEpochMilli();
        w.insertWindow(start + 1, start, start + 300_000, "payment", 12.5);
        w.insertWindow(start + 300_001, start + 300_000, start + 600_000, "payment", 7.25);
        service.feedFile("spend.json", "{\"feed_name\": \"spend\", \"feed_type\": \"table\", \"ksqldb_source\": \"SPEND_LAST_FIVE_MIN_BY_TYPE\"}");
        assertThat(snapshot("spend")).startsWith("version v1 (2 rows)");
        assertThat(service.lake().rows("SELECT TRANSACTION_TYPE, typeof(WINDOWSTART), CAST(WINDOWSTART AS VARCHAR), "
                + "CAST(WINDOWEND AS VARCHAR), TOTAL_SPENT FROM " + version("spend", 1) + " ORDER BY WINDOWSTART").toString())
                .isEqualTo("[[payment, TIMESTAMP WITH TIME ZONE, 2025-10-13 16:35:00+00, 2025-10-13 16:40:00+00, 12.5], "
                        + "[payment, TIMESTAMP WITH TIME ZONE, 2025-10-13 16:40:00+00, 2025-10-13 16:45:00+00, 7.25]]");
        assertThat(metadata("spend").get("versions").get(0).get("schema").asText())
                .isEqualTo("`TRANSACTION_TYPE` STRING KEY, `WINDOWSTART` BIGINT KEY, `WINDOWEND` BIGINT KEY, `TOTAL_SPENT` DOUBLE");
    }

    @Test
    void theRollbackCommandSwitchesTheCurrentVersion() throws Exception {
        snapshot("product_purchase_counts");
        fill(2);
        snapshot("product_purchase_counts");
        Map<String, String> settings = Map.of("datalake.root", service.lakeRoot().toString(),
                "datalake.feeds.dir", service.feedsDir().toString(), "datalake.ksqldb.url", ksqldb.url());
        Cli.Result ok = Cli.run(dir, settings, "rollback", "--table", "product_purchase_counts", "--to", "v1");
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).contains("product_purchase_counts: version v1 is current");
        assertThat(metadata("product_purchase_counts").get("current_version").asInt()).isEqualTo(1);
        assertThat(versionDirs("product_purchase_counts")).containsExactly("version=v1", "version=v2");
        Cli.Result missing = Cli.run(dir, settings, "rollback", "--table", "product_purchase_counts", "--to", "v7");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).anyMatch(l -> l.contains("has no version v7"));
    }

    @Test
    void aTableFeedSnapshotsOnItsSchedule() throws Exception {
        service.feedFile("scheduled.json", "{\"feed_name\": \"scheduled\", \"feed_type\": \"table\", "
                + "\"ksqldb_source\": \"PRODUCT_PURCHASE_COUNTS\", \"schedule\": \"0/1 * * * * ?\"}");
        service.feeds().startAll();
        await().atMost(20, SECONDS).until(() -> Files.isDirectory(service.lakeRoot().resolve("tables/scheduled/version=v2")));
        assertThat(service.context().getRoute("feed-scheduled")).isNotNull();
        assertThat(service.lake().count("SELECT count(*) FROM " + version("scheduled", 2))).isEqualTo(20);
    }

    @Test
    void exportAgainstAnUnreachableKsqlDbExitsOneWithAClearMessageAndWritesNothing() throws Exception {
        int closedPort = ksqldb.port();
        ksqldb.close();
        Cli.Result r = Cli.run(dir, Map.of("datalake.root", service.lakeRoot().toString(),
                "datalake.feeds.dir", service.feedsDir().toString(), "datalake.ksqldb.url", "http://127.0.0.1:" + closedPort,
                "datalake.ksqldb.retry.redelivery-delay", "50"), "export", "--table", "product_purchase_counts");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).filteredOn(l -> l.startsWith("camel-datalake export:")).containsExactly(
                "camel-datalake export: product_purchase_counts: ksqlDB is unreachable at http://127.0.0.1:" + closedPort
                        + ": Connection refused");
        assertThat(Files.exists(service.lakeRoot().resolve("tables/product_purchase_counts/version=v1"))).isFalse();
    }
}
