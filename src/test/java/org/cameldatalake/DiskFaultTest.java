package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.metadata.ExportLog;
import org.cameldatalake.storage.Storage;
import org.cameldatalake.storage.Storages;
import org.cameldatalake.support.FaultyFileSystem;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.LogCapture;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake's disk fails under the real service: full, filling up mid-file, unwritable, failing fsync or renames, full
 * for {@code _metadata.json} or {@code _rejected/} only ({@link FaultyFileSystem}, the lake's {@code file:} file
 * system through {@code datalake.hadoop.fs.file.impl}). While a fault lasts nothing partial is visible to DuckDB or
 * listed in {@code _metadata.json}, no offset is committed past what published files hold, the log names the feed,
 * the file and the cause, and retries back off; once the fault is gone the feed resumes by itself, with no restart
 * and no new record needed, and every record is in the lake exactly once.
 */
class DiskFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate DAY1 = LocalDate.of(2025, 10, 13);
    private static final String FEED = "tx_disk";
    private static final String TOPIC = "TX_DISK";

    @TempDir
    Path dir;
    private int good;
    private int bad;

    /** A way for the disk to fail, and what the log must give as the cause. */
    private record Fault(String name, Consumer<FaultyFileSystem.Disk> on, String cause) {
    }

    @Test
    void aKafkaFeedUnderDiskFaultsPublishesNothingPartialCommitsNothingUnpublishedAndResumesByItself() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of(TOPIC));
        List<Fault> faults = List.of(
                // first: it fails at once (the first file cannot be created), so the spacing of retries shows
                new Fault("lake root unwritable", FaultyFileSystem.Disk::unwritable, "Permission denied"),
                new Fault("disk full", FaultyFileSystem.Disk::full, "No space left on device"),
                new Fault("disk filling up mid-file", d -> d.fullAfter(8 * 1024), "No space left on device"),
                new Fault("fsync failing", FaultyFileSystem.Disk::failingSync, "sync failed"),
                new Fault("renames failing", FaultyFileSystem.Disk::failingRenames, "Input/output error"),
                new Fault("disk full for _metadata.json", d -> d.only("_metadata.json").full(), "No space left on device"),
                new Fault("disk full for _rejected/", d -> d.only("_rejected/").full(), "No space left on device"));
        try (LogCapture log = new LogCapture(); Service service = new Service(dir)) {
            FaultyFileSystem.Disk disk = FaultyFileSystem.install(service);
            service.kafkaFeed(FEED, TOPIC);
            int port = Http.freePort();
            String ready = "http://localhost:" + port + "/observe/health/ready";
            service.set("datalake.management.port", String.valueOf(port));
            service.set("datalake.append.max-records", "250").set("datalake.append.max-age", "1s")
                    .set("datalake.append.check-interval-ms", "200").set("datalake.kafka.max-poll-records", "100")
                    .set("datalake.kafka.retry-backoff", "250ms").set("datalake.kafka.retry-backoff-max", "1s");
            service.start();
            send(60);
            awaitEverythingLanded(service);

            for (Fault fault : faults) {
                int mark = log.mark();
                int faultsBefore = disk.faults();
                fault.on().accept(disk);
                send(150); // records keep arriving while the fault lasts
                await().atMost(60, SECONDS).pollInterval(50, MILLISECONDS).until(() -> failedBatches(log, mark).size() >= 2);
                // readiness says the lake is the problem, and which feed and why (liveness stays up: a restart frees no disk)
                await().atMost(30, SECONDS).pollInterval(100, MILLISECONDS).untilAsserted(() -> {
                    HttpResponse<String> r = Http.get(ready);
                    assertThat(r.statusCode()).as("%s: %s", fault.name(), r.body()).isEqualTo(503);
                    // (Camel's health JSON writes "/" as "\/" inside the text)
                    assertThat(Http.check(r.body(), "lake").path("message").asText().replace("\\/", "/"))
                            .contains("feed " + FEED + " cannot land its records: ").contains(fault.cause());
                });
                assertThat(Http.get(ready.replace("/ready", "/live")).statusCode()).isEqualTo(200);
                send(150);
                await().atMost(60, SECONDS).pollInterval(50, MILLISECONDS).until(() -> failedBatches(log, mark).size() >= 4);
                assertConsistent(service, fault.name());
                assertThat(log.since(mark, "ERROR", "feed " + FEED + ":", "nothing committed"))
                        .as("%s: each failure logged with the feed, the file and the cause", fault.name())
                        .isNotEmpty().allMatch(l -> l.contains(fault.cause())
                                && (l.contains("streams/" + FEED + "/") || l.contains("_rejected/" + FEED + "/")));
                if (fault.name().equals("lake root unwritable")) {
                    // the batch is read again after 250 ms, 500 ms, 1 s, 1 s…: no hot loop (with no wait there were
                    // 82 failed batches in 11 s here, 500 log lines in 15 s)
                    List<Long> at = failedBatches(log, mark);
                    for (int i = 1; i < at.size(); i++) {
                        assertThat(at.get(i) - at.get(i - 1)).as("wait before retry %d", i)
                                .isGreaterThanOrEqualTo(Math.min(1000, 250L << (i - 1)) - 20);
                    }
                }
                disk.heal(); // and nothing else: no restart, no new record
                awaitEverythingLanded(service);
                await().atMost(30, SECONDS).pollInterval(100, MILLISECONDS)
                        .untilAsserted(() -> assertThat(Http.get(ready).statusCode()).as(fault.name() + ", healed").isEqualTo(200));
                assertConsistent(service, fault.name() + ", healed");
                assertThat(disk.faults()).as(fault.name()).isGreaterThan(faultsBefore);
            }

            // a stop while the disk is full publishes nothing partial and commits nothing more; a restart once the
            // disk is back sweeps what the stopped run left under _temporary/ and lands the rest
            disk.full();
            int mark = log.mark();
            send(150);
            await().atMost(60, SECONDS).pollInterval(50, MILLISECONDS).until(() -> failedBatches(log, mark).size() >= 2);
            long stopping = System.nanoTime();
            service.stop();
            System.out.printf("disk faults: stopped in %.1f s with the disk full%n", (System.nanoTime() - stopping) / 1e9);
            assertConsistent(service, "stopped with the disk full");
            disk.heal();
            service.start();
            awaitEverythingLanded(service);
            System.out.printf("disk faults: %d faults injected, %d records landed, %d rejected%n", disk.faults(), good, bad);
        }
        // a clean stop leaves no temporary file: those of failed writes were removed as they failed
        try (Stream<Path> files = Files.walk(dir.resolve("data_lake"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aTableSnapshotUnderADiskFaultLeavesThePreviousVersionCurrentAndTheNextOneIsTaken() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start(); LogCapture log = new LogCapture();
             Service service = new Service(dir)) {
            KsqlDbEmulator.Source table = ksqldb.createTable("TOTALS_DISK", "TOTALS_DISK",
                    List.of("PAYMENT_METHOD STRING", "TOTAL_AMOUNT DOUBLE"), List.of("PAYMENT_METHOD"));
            FaultyFileSystem.Disk disk = FaultyFileSystem.install(service);
            service.feedFile("totals_disk.json", """
                    {"feed_name": "totals_disk", "feed_type": "table", "ksqldb_source": "totals_disk", "source": "ksqldb",
                     "schedule": "0 0 0 1 1 ? 2099"}
                    """);
            // one attempt per snapshot: the fault lasts until the test heals it (retries are KsqlDbFaultsTest's subject)
            service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0")
                    .set("datalake.feeds.autostart", "false").start();
            Path tableDir = service.lakeRoot().resolve("tables/totals_disk");
            List<Fault> faults = List.of(
                    new Fault("disk full", FaultyFileSystem.Disk::full, "No space left on device"),
                    new Fault("lake root unwritable", FaultyFileSystem.Disk::unwritable, "Mkdirs failed to create"),
                    new Fault("fsync failing", FaultyFileSystem.Disk::failingSync, "sync failed"),
                    new Fault("renames failing", FaultyFileSystem.Disk::failingRenames, "Input/output error"),
                    // the version directory is in place when the metadata cannot be written: it must go again
                    new Fault("disk full for _metadata.json", d -> d.only("_metadata.json").full(), "No space left on device"));
            int version = 0;
            for (int round = 0; round <= faults.size(); round++) {
                for (String m : List.of("apple_pay", "credit_card", "paypal")) {
                    table.insert(1000L * round, m, 100.0 * round + m.length());
                }
                if (round > 0) {
                    Fault fault = faults.get(round - 1);
                    int mark = log.mark();
                    byte[] metadataBefore = Files.readAllBytes(tableDir.resolve("_metadata.json"));
                    fault.on().accept(disk);
                    assertThatThrownBy(() -> snapshot(service, "totals_disk")).as(fault.name())
                            .satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains(fault.cause()));
                    assertThat(log.since(mark, "WARN", "totals_disk", "snapshot failed, version v" + version
                            + " stays current", fault.cause())).as(fault.name()).isNotEmpty();
                    // the metadata was not touched (a full disk cannot even record the error), and nothing else shows
                    assertThat(Files.readAllBytes(tableDir.resolve("_metadata.json"))).as(fault.name()).isEqualTo(metadataBefore);
                    assertThat(JSON.readTree(metadataBefore).get("current_version").asInt()).isEqualTo(version);
                    try (Stream<Path> files = Files.walk(tableDir)) {
                        assertThat(files.filter(Files::isRegularFile).map(p -> tableDir.relativize(p).toString()))
                                .as(fault.name()).allMatch(p -> p.equals("_metadata.json")
                                        || p.matches("version=v\\d+/snapshot_\\d{8}_\\d{6}\\.parquet"));
                    }
                    assertThat(versionDirs(tableDir)).as(fault.name()).last().isEqualTo("version=v" + version);
                    assertThat(service.lake().rows("SELECT TOTAL_AMOUNT FROM read_parquet('" + tableDir.resolve("version=v"
                            + version) + "/*.parquet') WHERE PAYMENT_METHOD = 'paypal'").toString())
                            .isEqualTo("[[" + (100.0 * (round - 1) + 6) + "]]");
                    disk.heal();
                }
                version++;
                assertThat(snapshot(service, "totals_disk")).startsWith("version v" + version + " (3 rows)");
            }
            assertThat(versionDirs(tableDir)).hasSize(faults.size() + 1);
            JsonNode meta = JSON.readTree(tableDir.resolve("_metadata.json").toFile());
            assertThat(meta.get("current_version").asInt()).isEqualTo(version);
            assertThat(meta.get("versions")).hasSize(faults.size() + 1);
        }
    }

    @Test
    void aKsqlDbStreamPollOnAFullDiskLandsNothingSaysSoInReadinessAndTheNextPollLandsEverything() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start(); Service service = new Service(dir)) {
            KsqlDbEmulator.Source stream = ksqldb.createStream("PAYMENTS_DISK", "PAYMENTS_DISK",
                    List.of("ID STRING", "TIMESTAMP STRING", "AMOUNT DOUBLE"), List.of());
            FaultyFileSystem.Disk disk = FaultyFileSystem.install(service);
            service.feedFile("payments_disk.json", """
                    {"feed_name": "payments_disk", "feed_type": "stream", "ksqldb_source": "payments_disk", "source": "ksqldb",
                     "partitioning": {"timestamp_field": "TIMESTAMP"}, "schedule": "0 0 0 1 1 ? 2099"}
                    """);
            int port = Http.freePort();
            String ready = "http://localhost:" + port + "/observe/health/ready";
            service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.ksqldb.retry.maximum-redeliveries", "0")
                    .set("datalake.management.port", String.valueOf(port)).set("datalake.feeds.autostart", "false").start();
            long hour = 3_600_000L;
            long day1 = DAY1.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            for (int i = 0; i < 30; i++) {
                stream.insert(day1 + i * hour, "P-" + i, Instant.ofEpochMilli(day1 + i * hour).toString(), i + 0.5);
            }
            assertThat(snapshot(service, "payments_disk")).startsWith("30 rows landed");
            assertThat(Http.get(ready).statusCode()).isEqualTo(200);

            disk.full();
            for (int i = 30; i < 50; i++) {
                stream.insert(day1 + i * hour, "P-" + i, Instant.ofEpochMilli(day1 + i * hour).toString(), i + 0.5);
            }
            assertThatThrownBy(() -> snapshot(service, "payments_disk"))
                    .satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("No space left on device"));
            HttpResponse<String> down = Http.get(ready);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(Http.check(down.body(), "lake").path("message").asText().replace("\\/", "/"))
                    .contains("feed payments_disk cannot land its records: ").contains("No space left on device");
            Lake lake = service.lake();
            String t = lake.stream("payments_disk");
            assertThat(lake.count("SELECT count(*) FROM " + t)).as("nothing of the failed poll is visible").isEqualTo(30);

            disk.heal(); // the next poll lands the 20 rows and readiness is back
            assertThat(snapshot(service, "payments_disk")).startsWith("20 rows landed");
            assertThat(Http.get(ready).statusCode()).isEqualTo(200);
            assertThat(lake.count("SELECT count(*) FROM " + t)).isEqualTo(50);
            assertThat(lake.count("SELECT count(DISTINCT ID) FROM " + t)).isEqualTo(50);
        }
    }

    @Test
    void aFeedThatCannotStartOnAnUnwritableLakeStartsByItselfOnceTheLakeIsWritable() throws Exception {
        KafkaSupport.broker().createTopics(1, List.of("TX_BOOT"));
        KafkaSupport.sendTransactions("TX_BOOT", 5, 100, DAY1, 1);
        try (LogCapture log = new LogCapture(); Service service = new Service(dir)) {
            Files.createDirectories(service.lakeRoot());
            FaultyFileSystem.Disk disk = FaultyFileSystem.install(service).unwritable();
            service.kafkaFeed("tx_boot", "TX_BOOT");
            service.set("datalake.feeds.rescan-interval-ms", "500").set("datalake.append.max-age", "1s").start();
            await().atMost(30, SECONDS).until(() -> service.feeds().status().stream()
                    .anyMatch(s -> "tx_boot".equals(s.feed()) && s.state() == FeedRouteManager.State.FAILED));
            assertThat(log.lines("ERROR", "feed tx_boot: could not start", "could not create the folder streams/tx_boot"))
                    .isNotEmpty();
            assertThat(KafkaSupport.committed("camel-datalake-tx_boot", "TX_BOOT")).isEmpty();
            disk.heal();
            await().atMost(60, SECONDS).untilAsserted(() -> {
                assertThat(service.lake().streamRows("tx_boot")).isEqualTo(100);
                assertThat(KafkaSupport.committed("camel-datalake-tx_boot", "TX_BOOT"))
                        .isEqualTo(KafkaSupport.endOffsets("TX_BOOT", 1));
            });
            assertThat(service.feeds().status()).anyMatch(s -> "tx_boot".equals(s.feed())
                    && s.state() == FeedRouteManager.State.RUNNING);
        }
    }

    @Test
    void theExportLogKeepsWholeLinesWhenTheDiskFillsUpMidLine() throws Exception {
        Path root = dir.resolve("lake");
        Storage storage = Storages.open(root.toString(), Map.of(FaultyFileSystem.SETTING,
                FaultyFileSystem.class.getName()));
        FaultyFileSystem.Disk disk = FaultyFileSystem.disk(root);
        ExportLog exportLog = new ExportLog(storage, Clock.fixed(Instant.parse("2025-10-13T10:00:00Z"), ZoneOffset.UTC),
                ZoneOffset.UTC);
        exportLog.write(exportLog.line("f", "first"));
        disk.fullAfter(20); // the next line is longer than that
        try (LogCapture log = new LogCapture()) {
            exportLog.write(exportLog.line("f", "refused"));
            assertThat(log.lines("WARN", "could not append to the export log: writing logs/exports-2025-10-13.jsonl: "
                    + "No space left on device")).hasSize(1);
        }
        disk.heal();
        exportLog.write(exportLog.line("f", "third"));
        List<String> lines = Files.readAllLines(root.resolve("logs/exports-2025-10-13.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.stream().map(l -> {
            try {
                return JSON.readTree(l).get("action").asText();
            } catch (IOException e) {
                throw new AssertionError("a torn line: " + l, e);
            }
        })).containsExactly("first", "third");
    }

    private static String snapshot(Service service, String feed) throws Exception {
        FeedRouteManager m = service.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private static List<String> versionDirs(Path tableDir) throws IOException {
        try (Stream<Path> s = Files.list(tableDir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version="))
                    .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.substring(9)))).toList();
        }
    }

    /** {@code n} transactions and 2 records that are not JSON, spread over the topic's two partitions. */
    private void send(int n) throws Exception {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(
                KafkaSupport.transactions(TOPIC, good + bad, n, DAY1, 3));
        for (int p = 0; p < 2; p++) {
            records.add(new ProducerRecord<>(TOPIC, p, null, ("not json " + bad).getBytes(StandardCharsets.UTF_8)));
        }
        KafkaSupport.send(records);
        good += n;
        bad += 2;
    }

    /** When the writer gave up a batch (or an idle file) since {@code mark}: it logs each one once. */
    private static List<Long> failedBatches(LogCapture log, int mark) {
        return log.times(mark, "ERROR", "feed " + FEED + ":", "nothing committed");
    }

    private void awaitEverythingLanded(Service service) throws IOException {
        Lake lake = service.lake();
        await().atMost(60, SECONDS).pollInterval(100, MILLISECONDS).untilAsserted(() -> {
            assertThat(lake.streamRows(FEED)).isEqualTo(good);
            assertThat(rejected(service)).hasSize(bad);
            assertThat(KafkaSupport.committed("camel-datalake-" + FEED, TOPIC)).isEqualTo(KafkaSupport.endOffsets(TOPIC, 2));
        });
        String t = lake.stream(FEED);
        assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + t)).isEqualTo(good);
        assertThat(lake.count("SELECT count(DISTINCT (_kafka_partition, _kafka_offset)) FROM " + t)).isEqualTo(good);
        assertThat(rejected(service).stream().map(r -> r.get("partition").asInt() + "/" + r.get("offset").asLong()).distinct())
                .hasSize(bad);
        // files published while their metadata could not be written are counted once it can
        JsonNode meta = JSON.readTree(service.lakeRoot().resolve("streams").resolve(FEED).resolve("_metadata.json").toFile());
        assertThat(meta.get("total_records").asLong()).isEqualTo(good);
        assertThat(exportLog(service).stream().filter(l -> l.get("action").asText().equals("publish"))
                .mapToLong(l -> l.get("records").asLong()).sum()).isEqualTo(good);
    }

    /** Every line of the export log; each must be whole JSON. */
    private static List<JsonNode> exportLog(Service service) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> logs = Files.list(service.lakeRoot().resolve("logs"))) {
            for (Path l : logs.toList()) {
                for (String line : Files.readAllLines(l)) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    /**
     * What a reader may see at any time: only complete data files and parseable metadata, rejected-record files and
     * export-log lines; and every offset below each committed one in a published file or in {@code _rejected/}.
     */
    private void assertConsistent(Service service, String phase) throws Exception {
        Path feedDir = service.lakeRoot().resolve("streams").resolve(FEED);
        try (Stream<Path> files = Files.walk(feedDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = feedDir.relativize(f).toString();
                String name = f.getFileName().toString();
                if (rel.startsWith("_temporary/")) {
                    assertThat(name).as(phase).matches("\\.lock|[-0-9a-f]{36}\\.parquet\\.tmp");
                } else if (name.startsWith(".")) { // a metadata update in progress, hidden from readers
                    assertThat(rel).as(phase).matches("(_manifests/)?\\.[-+\\w]+\\.json\\.[-0-9a-f]{36}\\.[-0-9a-f]{36}\\.tmp");
                } else {
                    assertThat(rel).as(phase).matches("_metadata\\.json|_manifests/" + TOPIC + "-[01]\\.json|year=2025/month=10/day=1[345]/data_\\d{8}_\\d{6}_"
                            + TOPIC + "\\+[01]\\+\\d+\\+\\d+\\.parquet");
                }
            }
        }
        Lake lake = service.lake();
        // reading a column reads every row group of every visible file: a partial file would fail here
        List<Object> counts = lake.rows("SELECT count(*), count(TRANSACTION_ID), count(DISTINCT (_kafka_partition, "
                + "_kafka_offset)) FROM " + lake.stream(FEED)).get(0);
        assertThat(counts).as(phase).allMatch(c -> ((Number) c).longValue() == ((Number) counts.get(0)).longValue());
        JsonNode meta = JSON.readTree(feedDir.resolve("_metadata.json").toFile());
        assertThat(meta.get("total_records").asLong()).as(phase).isLessThanOrEqualTo(((Number) counts.get(0)).longValue());
        List<JsonNode> rejected = rejected(service);
        assertThat(exportLog(service)).as(phase).allMatch(l -> l.has("action"));
        for (Map.Entry<Integer, Long> c : KafkaSupport.committed("camel-datalake-" + FEED, TOPIC).entrySet()) {
            long landed = lake.count("SELECT count(*) FROM " + lake.stream(FEED) + " WHERE _kafka_partition = " + c.getKey()
                    + " AND _kafka_offset < " + c.getValue());
            long rejectedBelow = rejected.stream().filter(r -> r.get("partition").asInt() == c.getKey()
                    && r.get("offset").asLong() < c.getValue()).count();
            assertThat(landed + rejectedBelow).as("%s: records below the committed offset %s of partition %s", phase,
                    c.getValue(), c.getKey()).isEqualTo(c.getValue());
        }
    }

    /** Every line of {@code _rejected/<feed>/}, whose files must all be complete. */
    private static List<JsonNode> rejected(Service service) throws IOException {
        Path dir = service.lakeRoot().resolve("_rejected").resolve(FEED);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                assertThat(dir.relativize(f).toString())
                        .matches("date=\\d{4}-\\d{2}-\\d{2}/rejected_\\d{8}_\\d{6}_" + TOPIC + "\\+[01]\\+\\d+\\+\\d+\\.jsonl");
                for (String line : Files.readAllLines(f)) {
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }
}
