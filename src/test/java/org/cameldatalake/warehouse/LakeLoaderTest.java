package org.cameldatalake.warehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.WarehouseServers;
import org.cameldatalake.support.WarehouseServers.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code warehouse load --feed}: a stream feed's lake files into the warehouse, through the real command line, twice;
 * rows the database refuses (SQLite, PostgreSQL, MariaDB) go to {@code _rejected/}, ksqlDB stream rows are keyed by
 * their place in the lake, and a key the rows lack is said before anything is recorded.
 */
class LakeLoaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void loadingTwiceLoadsEveryLakeRowOnce() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("TX_LOAD"));
        KafkaSupport.sendTransactions("TX_LOAD", 7, 3000, LocalDate.of(2025, 10, 13), 3);
        Service service = new Service(dir);
        service.kafkaFeed("tx_load", "TX_LOAD");
        service.set("datalake.append.max-age", "1s");
        Lake lake = service.lake();
        try (service) {
            service.start();
            await().atMost(60, SECONDS).until(() -> lake.streamRows("tx_load") == 3000);
        }
        long files = lake.count("SELECT count(DISTINCT filename) FROM " + lake.stream("tx_load"));

        Cli.Result first = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "tx_load");
        assertThat(first.exit()).as(String.join("\n", first.err())).isZero();
        assertThat(first.out()).singleElement().asString()
                .startsWith("tx_load: " + files + " file(s) loaded, 0 already loaded, 3000 rows into table tx_load");
        Cli.Result second = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "tx_load");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).singleElement().asString()
                .startsWith("tx_load: 0 file(s) loaded, " + files + " already loaded, 0 rows");

        String url = WarehouseServers.sqliteUrl(service.lakeRoot());
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM tx_load")).isEqualTo(lake.count("SELECT count(*) FROM " + lake.stream("tx_load")));
            assertThat(count(s, "SELECT count(DISTINCT TRANSACTION_ID) FROM tx_load")).isEqualTo(3000);
            assertThat(count(s, "SELECT count(*) FROM tx_load WHERE json_extract(LOCATION, '$.CITY') IS NULL"))
                    .as("nested records are JSON text").isZero();
            assertThat(count(s, "SELECT count(*) FROM datalake_loaded_files WHERE feed = 'tx_load'")).isEqualTo(files);
        }

        Cli.Result unknown = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("camel-datalake warehouse load: no stream feed named 'nope'");
    }

    @ParameterizedTest
    @EnumSource(Db.class)
    void rowsTheDatabaseRefusesGoToRejectedAndEachFileIsRecordedOnce(Db db) throws Exception {
        String suffix = db.name().toLowerCase(Locale.ROOT);
        String topic = "TX_REFUSED_" + db.name();
        String feed = "tx_refused_" + suffix;
        KafkaSupport.broker().createTopics(1, List.of(topic));
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String note = i == 150 ? "a\\u0000b" : "n" + i; // PostgreSQL refuses NUL in text
            int amount = i % 60 == 7 ? -5 : i;                // the table's CHECK refuses a negative amount
            records.add(new ProducerRecord<>(topic, "k" + i, ("{\"ID\": " + i + ", \"AMOUNT\": " + amount + ", \"NOTE\": \"" + note
                    + "\", \"TIMESTAMP\": \"2025-10-13T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
        }
        KafkaSupport.send(records);
        Service service = new Service(dir);
        service.kafkaFeed(feed, topic);
        service.set("datalake.append.max-records", "50");
        try (service) {
            service.start();
            await().atMost(60, SECONDS).until(() -> service.lake().streamRows(feed) == 200);
        }
        String url = WarehouseServers.freshDatabase(db);
        url = url == null ? WarehouseServers.sqliteUrl(service.lakeRoot()) : url;
        Sql sql = new Sql(url);
        sql.execute("CREATE TABLE " + sql.q(feed) + " (" + sql.q("_source") + " VARCHAR(200) NOT NULL, "
                + sql.q("_kafka_partition") + " BIGINT NOT NULL, " + sql.q("_kafka_offset") + " BIGINT NOT NULL, "
                + sql.q("AMOUNT") + " BIGINT CHECK (" + sql.q("AMOUNT") + " >= 0), PRIMARY KEY (" + sql.cols("_source",
                "_kafka_partition", "_kafka_offset") + "))");
        Map<String, String> settings = new java.util.HashMap<>(service.settings());
        // PostgreSQL's embedded server trusts local logins: the password is there to be masked
        settings.put("datalake.warehouse.url", db == Db.POSTGRESQL ? url + "&password=L0ad-S3cret" : url);
        List<Long> refused = new ArrayList<>(List.of(7L, 67L, 127L, 187L));
        if (db == Db.POSTGRESQL) {
            refused.add(150L);
        }

        Cli.Result first = Cli.run(dir, settings, "warehouse", "load", "--feed", feed);
        assertThat(first.exit()).as(String.join("\n", first.err())).isZero();
        assertThat(first.out()).singleElement().asString()
                .startsWith(feed + ": 4 file(s) loaded, 0 already loaded, " + (200 - refused.size()) + " rows into table " + feed)
                .contains(refused.size() + " rows rejected to _rejected/" + feed + "/ (first: ")
                .doesNotContain("L0ad-S3cret");
        assertThat(String.join("\n", first.err())).doesNotContain("L0ad-S3cret");
        List<JsonNode> rejected = loadRejections(service.lakeRoot().resolve("_rejected").resolve(feed));
        assertThat(rejected).extracting(r -> r.path("offset").asLong()).containsExactlyInAnyOrderElementsOf(refused);
        String product = db == Db.SQLITE ? "SQLite" : db == Db.POSTGRESQL ? "PostgreSQL" : "MariaDB";
        assertThat(rejected).allSatisfy(r -> {
            assertThat(r.path("reason").asText()).matches("warehouse load of year=2025/month=10/day=13/data_.*\\.parquet, row \\d+: "
                    + product + " refused it: .*");
            assertThat(JSON.readTree(r.path("value").asText()).path("ID").asLong()).isEqualTo(r.path("offset").asLong());
        });
        assertThat(sql.rows("SELECT count(*), min(" + sql.q("AMOUNT") + ") FROM " + sql.q(feed)))
                .containsExactly(List.of((long) (200 - refused.size()), 0L));
        List<List<Object>> recorded = sql.rows("SELECT " + sql.q("rejected") + " FROM " + sql.q(LakeLoader.LOADED_FILES)
                + " WHERE " + sql.q("feed") + " = '" + feed + "'");
        assertThat(recorded).as("each file recorded once, with its rejected rows").hasSize(4);
        assertThat(recorded.stream().mapToLong(r -> (Long) r.get(0)).sum()).isEqualTo(refused.size());

        if (db == Db.SQLITE) { // what is recorded is the same on every database
            Cli.Result second = Cli.run(dir, settings, "warehouse", "load", "--feed", feed);
            assertThat(second.out()).singleElement().asString().startsWith(feed + ": 0 file(s) loaded, 4 already loaded, 0 rows");
            assertThat(loadRejections(service.lakeRoot().resolve("_rejected").resolve(feed))).hasSameSizeAs(refused);
        }
    }

    @Test
    void ksqlDbStreamRowsAreKeyedByTheirPlaceInTheLake() throws Exception {
        Service service = new Service(dir);
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source stream = ksqldb.createStream("PAYMENTS_LOADED", "PAYMENTS_LOADED", List.of(
                    "ID STRING", "TIMESTAMP STRING", "AMOUNT DOUBLE"), List.of());
            long t0 = java.time.Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
            for (int i = 0; i < 120; i++) {
                long rowtime = t0 + (i / 2) * 60_000L; // two rows share each ROWTIME
                stream.insert(rowtime, "P-" + i, java.time.Instant.ofEpochMilli(rowtime).toString(), i * 1.5);
            }
            service.feedFile("payments.json", """
                    {"feed_name": "payments_loaded", "feed_type": "stream", "source": "ksqldb", "ksqldb_source": "PAYMENTS_LOADED",
                     "partitioning": {"type": "date", "timestamp_field": "TIMESTAMP"}}
                    """);
            service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.feeds.autostart", "false");
            try (service) {
                service.start();
                FeedRouteManager feeds = service.feeds();
                assertThat(feeds.exportOnce(feeds.catalog().feed("payments_loaded"))).startsWith("120 rows landed");
            }
        }
        String url = WarehouseServers.sqliteUrl(service.lakeRoot());
        // a key the rows do not have: said before anything is loaded or recorded
        service.feedFile("payments.json", """
                {"feed_name": "payments_loaded", "feed_type": "stream", "source": "ksqldb", "ksqldb_source": "PAYMENTS_LOADED",
                 "partitioning": {"type": "date", "timestamp_field": "TIMESTAMP"},
                 "warehouse": {"table": "payments_by_ref", "key": ["REF"]}}
                """);
        Cli.Result badKey = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "payments_loaded");
        assertThat(badKey.exit()).isEqualTo(1);
        assertThat(badKey.err()).anyMatch(l -> l.startsWith("camel-datalake warehouse load: payments_loaded: streams/payments_loaded/")
                && l.contains("has no column REF of the key [REF] (warehouse.key); nothing was loaded"));
        assertThat(new Sql(url).rows("SELECT count(*) FROM sqlite_master WHERE name IN ('payments_by_ref', '"
                + LakeLoader.LOADED_FILES + "')")).containsExactly(List.of(0L));

        service.feedFile("payments.json", """
                {"feed_name": "payments_loaded", "feed_type": "stream", "source": "ksqldb", "ksqldb_source": "PAYMENTS_LOADED",
                 "partitioning": {"type": "date", "timestamp_field": "TIMESTAMP"}}
                """);
        Cli.Result first = Cli.run(dir, service.settings(), "warehouse", "load", "--feed", "payments_loaded");
        assertThat(first.exit()).as(String.join("\n", first.err())).isZero();
        assertThat(first.out()).singleElement().asString().contains(" 120 rows into table payments_loaded").doesNotContain("rejected");
        Sql sql = new Sql(url);
        assertThat(sql.rows("SELECT count(*), count(DISTINCT " + sql.q("ID") + "), count(DISTINCT " + sql.q(LakeLoader.LAKE_FILE)
                + " || '#' || " + sql.q(LakeLoader.LAKE_ROW) + ") FROM " + sql.q("payments_loaded")))
                .containsExactly(List.of(120L, 120L, 120L));
    }

    /** The lines of {@code warehouse load}'s rejected-row files under {@code _rejected/<feed>}. */
    private static List<JsonNode> loadRejections(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("warehouse_load_rejected_")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
