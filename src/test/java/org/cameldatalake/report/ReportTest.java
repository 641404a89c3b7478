package org.cameldatalake.report;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.HeadlessChromium;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} through the real command line, on a lake landed by the service: a Kafka stream over three days
 * (with rejected records), a ksqlDB table with two versions and a feed that has landed nothing. Every number the
 * report gives is checked against DuckDB's reading of the files.
 */
class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void csvJsonAndStatsAgreeWithTheLakeAsDuckDbReadsIt() throws Exception {
        Service service = landALake();
        Lake lake = service.lake();
        Path csv = dir.resolve("out/report.csv");
        Cli.Result r = Cli.run(dir, service.settings(), "report", "--json", "--csv", csv.toString());
        assertThat(r.exit()).as(String.join("\n", r.err())).isZero();
        JsonNode json = JSON.readTree(String.join("\n", r.out()));

        // records per stream partition: DuckDB vs JSON vs CSV
        Map<String, Long> duck = new HashMap<>();
        for (List<Object> row : lake.rows("SELECT year, month, day, count(*) FROM " + lake.stream("report_tx")
                + " GROUP BY ALL")) {
            duck.put(String.format("year=%s/month=%02d/day=%02d", row.get(0), (Integer) row.get(1), (Integer) row.get(2)),
                    ((Number) row.get(3)).longValue());
        }
        assertThat(duck).hasSize(3);
        JsonNode tx = feed(json, "report_tx");
        Map<String, Long> fromJson = new HashMap<>();
        tx.path("partitions").forEach(p -> fromJson.put(p.path("path").asText(), p.path("records").asLong()));
        assertThat(fromJson).isEqualTo(duck);
        assertThat(tx.path("records").asLong()).isEqualTo(600).isEqualTo(lake.streamRows("report_tx"));
        assertThat(tx.path("rejected_records").asLong()).isEqualTo(3);
        assertThat(tx.path("type").asText()).isEqualTo("stream");
        assertThat(tx.path("size_bytes").asLong()).isEqualTo(parquetBytes(service.lakeRoot().resolve("streams/report_tx")));

        List<Map<String, String>> rows = csv(csv);
        Map<String, Long> fromCsv = new HashMap<>();
        rows.stream().filter(x -> x.get("feed").equals("report_tx"))
                .forEach(x -> fromCsv.put(x.get("partition"), Long.parseLong(x.get("records"))));
        assertThat(fromCsv).isEqualTo(duck);

        // table versions: rows per version as DuckDB reads each version directory
        JsonNode table = feed(json, "product_purchase_counts");
        assertThat(table.path("current_version").asInt()).isEqualTo(2);
        assertThat(table.path("versions")).hasSize(2);
        for (JsonNode v : table.path("versions")) {
            long inLake = lake.count("SELECT count(*) FROM read_parquet('" + service.lakeRoot()
                    .resolve("tables/product_purchase_counts/" + v.path("path").asText()) + "/*.parquet')");
            assertThat(v.path("records").asLong()).as(v.toString()).isEqualTo(inLake);
            assertThat(rows).anyMatch(x -> x.get("feed").equals("product_purchase_counts")
                    && x.get("version").equals(v.path("version").asText()) && x.get("records").equals(String.valueOf(inLake))
                    && x.get("current").equals(String.valueOf(v.path("version").asInt() == 2)));
        }
        assertThat(table.path("records").asLong()).isEqualTo(12); // the current version's rows

        JsonNode idle = feed(json, "report_idle");
        assertThat(idle.path("records").asLong()).isZero();
        assertThat(idle.path("last_export").isNull()).isTrue();
        assertThat(rows).anyMatch(x -> x.get("feed").equals("report_idle") && x.get("records").equals("0"));

        Cli.Result stats = Cli.run(dir, service.settings(), "report"); // --stats is the default
        assertThat(stats.exit()).isZero();
        assertThat(stats.out()).anyMatch(l -> l.matches("report_tx\\s+stream\\s+active\\s+600\\s+.*3 partitions.*\\s3"));
        assertThat(stats.out()).anyMatch(l -> l.matches("product_purchase_counts\\s+table\\s+active\\s+12\\s+.*2 versions \\(v2\\).*"));
        assertThat(stats.out()).anyMatch(l -> l.matches("TOTAL \\(3 feeds\\)\\s+612\\s+.*\\s3"));
    }

    @Test
    void theReportsRouteWritesTodaysJsonAndHtmlIntoTheLake() throws Exception {
        try (Service service = landALake()) {
            service.set("datalake.maintenance.reports-cron", "0/1 * * * * ?").start();
        service.context().getRouteController().startRoute("maintenance-reports");
        Path reports = service.lakeRoot().resolve("reports");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        await().atMost(20, SECONDS).until(() -> Files.exists(reports.resolve("report-" + today + ".html")));
        JsonNode json = JSON.readTree(reports.resolve("report-" + today + ".json").toFile());
        assertThat(feed(json, "report_tx").path("records").asLong()).isEqualTo(600);
        Path html = reports.resolve("report-" + today + ".html");
        try (HeadlessChromium chromium = HeadlessChromium.open(html)) {
            chromium.screenshot(Path.of("target/report-from-lake.png"));
            JsonNode bars = chromium.evaluate("Object.fromEntries([...document.querySelectorAll('svg[id^=chart-]')]"
                    + ".map(svg => [svg.id, [...svg.querySelectorAll('rect.bar')].map(r => +r.dataset.value)]))");
            assertThat(chromium.problems()).isEmpty();
            // the lake's own numbers, drawn: 3 days of report_tx, two versions (10 and 12 rows), 3 rejected records
            long perDay = 0;
            for (JsonNode v : bars.path("chart-records-per-day")) {
                perDay += v.asLong();
            }
            assertThat(bars.path("chart-records-per-day")).hasSize(3);
            assertThat(perDay).isEqualTo(600);
            assertThat(bars.path("chart-table-versions").toString()).isEqualTo("[10,12]");
            assertThat(bars.path("chart-rejected").toString()).isEqualTo("[3]");
            assertThat(bars.path("chart-size-by-feed")).hasSize(2); // report_idle has 0 bytes: a label, no bar
        }
        try (var files = Files.list(reports)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("written atomically: no temporary file left")
                    .containsExactlyInAnyOrder("report-" + today + ".json", "report-" + today + ".html");
            }
        }
    }

    /** The service lands 600 transactions over 3 days (+3 bad records) and two snapshots of a ksqlDB table. */
    private Service landALake() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("REPORT_TX"));
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(
                KafkaSupport.transactions("REPORT_TX", 11, 600, LocalDate.of(2025, 9, 28), 3));
        for (int i = 0; i < 3; i++) {
            records.add(new ProducerRecord<>("REPORT_TX", "bad", ("[" + i).getBytes(StandardCharsets.UTF_8)));
        }
        if (!Files.exists(dir.resolve("svc/data_lake/streams/report_tx"))) {
            KafkaSupport.send(records);
        }
        KsqlDbEmulator ksqldb = KsqlDbEmulator.start();
        try {
            KsqlDbEmulator.Source counts = ksqldb.createTable("PRODUCT_PURCHASE_COUNTS", "PRODUCT_PURCHASE_COUNTS",
                    List.of("PRODUCT_ID STRING", "PURCHASE_COUNT BIGINT"), List.of("PRODUCT_ID"));
            Service service = new Service(dir.resolve("svc"));
            service.kafkaFeed("report_tx", "REPORT_TX");
            service.kafkaFeed("report_idle", "REPORT_IDLE");
            Files.copy(Path.of("feeds/active/product_purchase_counts.json"),
                    service.feedsDir().resolve("active/product_purchase_counts.json"));
            service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.feeds.autostart", "false").start();
            FeedRouteManager feeds = service.feeds();
            feeds.exportOnce(feeds.catalog().feed("report_tx"));
            for (int p = 0; p < 10; p++) {
                counts.insert(1L, "PROD-" + p, (long) p);
            }
            feeds.exportOnce(feeds.catalog().feed("product_purchase_counts"));
            counts.insert(2L, "PROD-10", 10L);
            counts.insert(2L, "PROD-11", 11L);
            feeds.exportOnce(feeds.catalog().feed("product_purchase_counts"));
            service.stop();
            return service;
        } finally {
            ksqldb.close();
        }
    }

    private static JsonNode feed(JsonNode report, String name) {
        for (JsonNode f : report.path("feeds")) {
            if (name.equals(f.path("feed").asText())) {
                return f;
            }
        }
        throw new AssertionError("no feed " + name + " in the report");
    }

    private static long parquetBytes(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static List<Map<String, String>> csv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertThat(cells).as(line).hasSize(header.length);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], cells[i]);
            }
            out.add(row);
        }
        return out;
    }
}
