package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.MutableClock;
import org.cameldatalake.support.PacedProducer;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user does with the service, the same on every store the lake may live on ({@link ServiceOnLocalDiskTest},
 * {@link ServiceOnS3Test}): a Kafka stream feed landed exactly once across a SIGKILL of the service, a ksqlDB table
 * snapshot cut off mid-response, ksqlDB stream polls, retention and archiving, {@code report}, a read API download and
 * {@code warehouse load}. The lake is read with DuckDB from where the store keeps its files, never through our writer.
 */
abstract class ServiceOnAStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A service (not started) whose lake is on this store. */
    protected abstract Service service(Path dir) throws Exception;

    /** A short name of the store, to keep topics and consumer groups apart. */
    protected abstract String store();

    /** What a stopped service leaves of its unfinished work: nothing (no temporary file, upload or spool). */
    protected abstract void assertNothingUnfinished(Service s) throws Exception;

    @Test
    void aKafkaStreamFeedLandsEveryRecordOnceAcrossASigkillOfTheService() throws Exception {
        String topic = "TX_KILLED_" + store().toUpperCase();
        String feed = "tx_killed_" + store();
        KafkaSupport.broker().createTopics(3, List.of(topic));
        Service service = service(dir);
        service.kafkaFeed(feed, topic);
        // files of a few hundred records, so that the child publishes several before it is killed
        service.set("datalake.append.max-records", "300").set("datalake.append.max-age", "2s")
                .set("datalake.kafka.session-timeout-ms", "6000");
        Lake lake = service.lake();
        try (PacedProducer producer = new PacedProducer(KafkaSupport.broker().bootstrapServers(), topic, 41,
                LocalDate.of(2025, 10, 13), 3, 6_000, 2_000).allow(3_000)) {
            Process child = Cli.start(service.settings(), Files.createDirectories(Path.of("target", "store-test"))
                    .resolve(feed + ".log"));
            try {
                await().atMost(120, SECONDS).pollInterval(50, MILLISECONDS).failFast("the service exited by itself",
                        () -> !child.isAlive()).until(() -> dataFiles(service, feed) >= 3);
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no commit
                assertThat(child.waitFor(30, SECONDS)).isTrue();
            }
            assertThat(lake.streamRows(feed)).as("killed mid-ingest").isLessThan(6_000);

            producer.allowAll();
            service.start();
            try {
                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(60));
                LakeAudit.catchUpStopAndAudit(service, KafkaSupport.broker(), feed, topic, 3, ids, Duration.ofSeconds(90));
            } finally {
                service.stop();
            }
        }
        assertNothingUnfinished(service);
    }

    @Test
    void aSnapshotCutOffMidResponseLeavesNoVersionVisibleAndTheNextOnePublishes() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start(); Service s = ksqlDbService(ksqldb, "product_purchase_counts")) {
            KsqlDbEmulator.Source table = ksqldb.createTable("PRODUCT_PURCHASE_COUNTS", "PRODUCT_PURCHASE_COUNTS",
                    List.of("PRODUCT_ID STRING", "PURCHASE_COUNT BIGINT"), List.of("PRODUCT_ID"));
            for (int p = 0; p < 20; p++) {
                table.insert(1000L, "PROD-" + p, (long) p);
            }
            assertThat(export(s, "product_purchase_counts")).startsWith("version v1 (20 rows)");
            for (int p = 0; p < 20; p++) {
                table.insert(2000L, "PROD-" + p, 100L + p);
            }
            ksqldb.dropNextAfterRows("/query-stream", 10);
            assertThatThrownBy(() -> export(s, "product_purchase_counts"))
                    .satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("connection dropped"));

            Path tableDir = s.lakeRoot().resolve("tables/product_purchase_counts");
            assertThat(files(tableDir)).as("what the store holds after the cut-off").hasSize(2)
                    .contains("_metadata.json").anyMatch(f -> f.matches("version=v1/snapshot_\\d{8}_\\d{6}\\.parquet"));
            JsonNode meta = JSON.readTree(tableDir.resolve("_metadata.json").toFile());
            assertThat(meta.path("current_version").asInt()).isEqualTo(1);
            assertThat(meta.path("last_error").asText()).contains("version v1 stays current");
            Lake lake = s.lake();
            assertThat(lake.rows("SELECT sum(PURCHASE_COUNT) FROM read_parquet('" + tableDir + "/version=v1/*.parquet')")
                    .toString()).isEqualTo("[[190]]");

            assertThat(export(s, "product_purchase_counts")).startsWith("version v2 (20 rows)");
            assertThat(lake.rows("SELECT sum(PURCHASE_COUNT) FROM read_parquet('" + tableDir + "/version=v2/*.parquet')")
                    .toString()).isEqualTo("[[2190]]");
            assertThat(JSON.readTree(tableDir.resolve("_metadata.json").toFile()).path("current_version").asInt()).isEqualTo(2);
            s.stop();
            assertNothingUnfinished(s);
        }
    }

    @Test
    void ksqlDbStreamPollsLandEveryRowOnceAcrossACutOffPollAndARestart() throws Exception {
        long day1 = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start()) {
            KsqlDbEmulator.Source stream = ksqldb.createStream("TRANSACTION_STREAM", "TRANSACTIONS", List.of(
                    "TRANSACTION_ID STRING", "TIMESTAMP STRING", "AMOUNT DECIMAL(10, 2)"), List.of());
            int[] inserted = {0};
            Runnable insert20 = () -> {
                for (int i = 0; i < 20; i++, inserted[0]++) {
                    long rowtime = day1 + inserted[0] * 3_600_000L; // one an hour: several days
                    stream.insert(rowtime, "TXN-" + inserted[0], Instant.ofEpochMilli(rowtime).toString(),
                            new java.math.BigDecimal(inserted[0] + ".25"));
                }
            };
            insert20.run();
            Service first = ksqlDbService(ksqldb, "transaction_stream");
            try (first) {
                assertThat(export(first, "transaction_stream")).startsWith("20 rows landed, 0 rejected, 0 already in the lake");
                insert20.run();
                ksqldb.dropNextAfterRows("/query-stream", 7); // nothing lands, the watermark stays
                assertThatThrownBy(() -> export(first, "transaction_stream"))
                        .satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("connection dropped"));
                assertThat(export(first, "transaction_stream")).startsWith("20 rows landed, 0 rejected, 0 already in the lake");
            }
            insert20.run();
            try (Service again = ksqlDbService(ksqldb, "transaction_stream")) { // from the watermark in _metadata.json
                assertThat(export(again, "transaction_stream")).startsWith("20 rows landed, 0 rejected, 0 already in the lake");
            }
            Lake lake = first.lake();
            String t = lake.stream("transaction_stream");
            assertThat(lake.rows("SELECT count(*), count(DISTINCT TRANSACTION_ID), count(DISTINCT (year, month, day)) FROM " + t)
                    .toString()).isEqualTo("[[60, 60, 3]]");
            assertNothingUnfinished(first);
        }
    }

    @Test
    void retentionDeletesTheOldPartitionsAndArchivingKeepsTheData() throws Exception {
        Service s = service(dir);
        s.feedFile("events.json", "{\"feed_name\": \"events\", \"feed_type\": \"stream\", \"retention_days\": 3, "
                + "\"partitioning\": {\"timestamp_field\": \"TS\"}}");
        s.feedFile("totals.json", "{\"feed_name\": \"totals\", \"feed_type\": \"table\", \"retention_versions\": 2}");
        MutableClock clock = new MutableClock(Instant.parse("2025-10-10T12:00:00Z"));
        try (s) {
            s.set("datalake.feeds.autostart", "false").start(clock);
            FeedDefinition events = s.feeds().catalog().feed("events");
            List<SourceRecord> records = new ArrayList<>();
            for (int i = 0; i < 100; i++) { // ten days, 2025-10-01 .. 2025-10-10
                records.add(new SourceRecord("EVENTS", 0, i, -1, null, ("{\"ID\": " + i + ", \"TS\": \""
                        + LocalDate.of(2025, 10, 1 + i % 10) + "T12:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
            }
            s.feeds().withStreamWriter(events, w -> w.append(records));
            FeedDefinition totals = s.feeds().catalog().feed("totals");
            for (int round = 1; round <= 4; round++) {
                String body = "[{\"header\":{\"queryId\":\"q" + round + "\",\"schema\":\"`K` STRING KEY, `N` BIGINT\"}},\n"
                        + "{\"row\":{\"columns\":[\"a\"," + round + "]}}]";
                s.feeds().openSnapshotWriter(totals).write(new org.cameldatalake.ksqldb.KsqlSnapshotRows(
                        new org.cameldatalake.ksqldb.KsqlQueryResponse(new ByteArrayInputStream(
                                body.getBytes(StandardCharsets.UTF_8))), totals.name(), totals.ksqldbSource(), 0));
            }
            Lake lake = s.lake();

            assertThat(s.maintenance().retention(false)).containsExactly("events: deleted year=2025/month=10/day=01",
                    "events: deleted year=2025/month=10/day=02", "events: deleted year=2025/month=10/day=03",
                    "events: deleted year=2025/month=10/day=04", "events: deleted year=2025/month=10/day=05",
                    "events: deleted year=2025/month=10/day=06");
            assertThat(lake.rows("SELECT DISTINCT day FROM " + lake.stream("events") + " ORDER BY 1").toString())
                    .isEqualTo("[[7], [8], [9], [10]]");
            assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(40);
            assertThat(files(s.lakeRoot().resolve("streams/events"))).noneMatch(f -> f.matches(".*day=0[1-6]/.*"));
            assertThat(JSON.readTree(s.lakeRoot().resolve("streams/events/_metadata.json").toFile())
                    .path("total_records").asLong()).isEqualTo(40);
            assertThat(files(s.lakeRoot().resolve("tables/totals")).stream().map(f -> f.replaceAll("/.*", "")).distinct()
                    .sorted()).containsExactly("_metadata.json", "version=v3", "version=v4");

            s.feedFile("events.json", "{\"feed_name\": \"events\", \"feed_type\": \"stream\", \"enabled\": false, "
                    + "\"partitioning\": {\"timestamp_field\": \"TS\"}}");
            assertThat(s.maintenance().archiveSweep()).containsExactly("events");
            assertThat(s.feedsDir().resolve("archived/events.json")).exists();
            assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).as("archived, kept").isEqualTo(40);
            assertThat(JSON.readTree(s.lakeRoot().resolve("streams/events/_metadata.json").toFile())
                    .at("/maintenance/archived/reason").asText()).isEqualTo("enabled: false");
            assertThat(loggedActions(s)).contains("retention", "archive");
        }
    }

    @Test
    void aLandedFeedIsReportedDownloadedThroughTheReadApiAndLoadedIntoTheWarehouse() throws Exception {
        String topic = "TX_LANDED_" + store().toUpperCase();
        String feed = "tx_landed_" + store();
        KafkaSupport.broker().createTopics(2, List.of(topic));
        KafkaSupport.sendTransactions(topic, 43, 600, LocalDate.of(2025, 10, 13), 3);
        int port = Http.freePort();
        Service s = service(dir);
        s.kafkaFeed(feed, topic);
        try (s) {
            s.set("datalake.feeds.autostart", "false").set("datalake.api.port", String.valueOf(port)).start();
            assertThat(export(s, feed)).contains("600");
            Lake lake = s.lake();
            assertThat(lake.streamRows(feed)).isEqualTo(600);

            Cli.Result report = Cli.run(dir, s.settings(), "report", "--json");
            assertThat(report.exit()).as(String.join("\n", report.err())).isZero();
            JsonNode reported = null;
            for (JsonNode f : JSON.readTree(String.join("\n", report.out())).path("feeds")) {
                reported = feed.equals(f.path("feed").asText()) ? f : reported;
            }
            assertThat(reported).isNotNull();
            assertThat(reported.path("records").asLong()).isEqualTo(600);
            assertThat(reported.path("partitions")).hasSize(3);
            assertThat(reported.path("size_bytes").asLong()).isEqualTo(files(s.lakeRoot().resolve("streams/" + feed))
                    .stream().filter(f -> f.endsWith(".parquet"))
                    .mapToLong(f -> s.lakeRoot().resolve("streams/" + feed).resolve(f).toFile().length()).sum());

            String token = Cli.run(dir, s.settings(), "tokens", "create", "--principal", "analyst").out().get(0).trim();
            assertThat(Cli.run(dir, s.settings(), "grant", "--principal", "analyst", "--feed", feed).exit()).isZero();
            JsonNode listed = JSON.readTree(get(port, "/api/feeds/" + feed + "/partitions", token, HttpResponse.BodyHandlers.ofString()).body());
            long downloaded = 0;
            for (JsonNode f : listed.path("files")) {
                String path = f.path("path").asText();
                Path copy = Files.createDirectories(dir.resolve("download")).resolve(path.replace('/', '_'));
                HttpResponse<Path> r = get(port, "/api/feeds/" + feed + "/files/" + path, token, HttpResponse.BodyHandlers.ofFile(copy));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(s.lakeRoot().resolve("streams/" + feed + "/" + path)));
                downloaded += lake.count("SELECT count(*) FROM read_parquet('" + copy + "')");
            }
            assertThat(downloaded).isEqualTo(600);

            Cli.Result load = Cli.run(dir, s.settings(), "warehouse", "load", "--feed", feed);
            assertThat(load.exit()).as(String.join("\n", load.err())).isZero();
            assertThat(load.out()).singleElement().asString().contains("600 rows into table " + feed);
            try (Connection c = DriverManager.getConnection(s.warehouseUrl()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(DISTINCT TRANSACTION_ID) FROM " + feed)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(600);
            }
        }
        assertNothingUnfinished(s);
    }

    private Service ksqlDbService(KsqlDbEmulator ksqldb, String feed) throws Exception {
        Service s = service(dir);
        Path file = s.feedsDir().resolve("active").resolve(feed + ".json");
        if (!Files.exists(file)) {
            Files.copy(Path.of("feeds/active", feed + ".json"), file);
        }
        // one attempt: each fault is a single response (KsqlDbFaultsTest covers the retries)
        return s.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0")
                .set("datalake.feeds.autostart", "false").start();
    }

    protected static String export(Service s, String feed) throws Exception {
        FeedRouteManager m = s.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private static <T> HttpResponse<T> get(int port, String path, String token, HttpResponse.BodyHandler<T> body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).GET().build(), body);
    }

    /** Every file below {@code dir}, relative and sorted; empty when there is none. */
    /** The files below {@code dir}, read while a service writes there: a temporary file gone mid-walk is skipped. */
    static List<String> files(Path dir) throws Exception {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    found.add(dir.relativize(p).toString());
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException e) throws java.io.IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        found.sort(null);
        return found;
    }

    private static long dataFiles(Service s, String feed) throws Exception {
        return files(s.lakeRoot().resolve("streams/" + feed)).stream().filter(f -> f.endsWith(".parquet")).count();
    }

    /** The actions of the lake's log, one line each, whether it is one file a day or one file a line. */
    private static List<String> loggedActions(Service s) throws Exception {
        List<String> actions = new ArrayList<>();
        Path logs = s.lakeRoot().resolve("logs");
        for (String f : files(logs)) {
            for (String line : Files.readAllLines(logs.resolve(f))) {
                actions.add(JSON.readTree(line).path("action").asText());
            }
        }
        return actions;
    }
}
