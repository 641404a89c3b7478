package org.cameldatalake;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cameldatalake.runtime.FeedRouteManager;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * ksqlDB faults through the emulator over real HTTP: each is retried with Camel's redelivery and an exponential
 * backoff (1 + 3 attempts, 100 / 300 / 900 ms apart here), then the previous table version stays current (a stream's
 * watermark stays), the reason is logged and in {@code _metadata.json}, and a later run lands the data once.
 */
class KsqlDbFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUERY = "/query-stream";
    private static final int REDELIVERIES = 3;
    private static final long[] BACKOFF = {100, 300, 900};
    private static final Map<String, String> RETRY = Map.of(
            "datalake.ksqldb.retry.maximum-redeliveries", String.valueOf(REDELIVERIES),
            "datalake.ksqldb.retry.redelivery-delay", String.valueOf(BACKOFF[0]),
            "datalake.ksqldb.retry.backoff-multiplier", "3",
            "datalake.ksqldb.retry.maximum-redelivery-delay", "5000",
            // a response silent for longer than this fails the attempt; the faults below stay silent longer
            "camel.component.http.so-timeout", "1000");
    private static final long SILENCE = 2500;

    @TempDir
    Path dir;
    private KsqlDbEmulator ksqldb;
    private KsqlDbEmulator.Source products;
    private Service service;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** A fault as the emulator injects it into one response, and what the export then says about it. */
    enum Fault {
        HTTP_500(k -> k.failNext(QUERY, 500, "{\"@type\":\"generic_error\",\"error_code\":50000,"
                + "\"message\":\"Failed to execute pull query\"}"),
                "ksqlDB answered HTTP 500, error 50000: Failed to execute pull query"),
        ERROR_ELEMENT_MID_STREAM(k -> k.errorMidStreamNext(QUERY, 5),
                "ksqlDB error 50000: java.lang.RuntimeException: Failure in processing (injected by KsqlDbEmulator)"),
        SLOW_TO_ANSWER(k -> k.delayNext(QUERY, SILENCE), "did not answer in time"),
        SILENT_MID_STREAM(k -> k.stallNextAfterRows(QUERY, 5, SILENCE), "did not answer in time"),
        DROPPED_MID_STREAM(k -> k.dropNextAfterRows(QUERY, 5), "connection dropped"),
        MALFORMED_LINE(k -> k.malformedNext(QUERY), "the response holds a line that is not JSON");

        final Consumer<KsqlDbEmulator> inject;
        final String reason;

        Fault(Consumer<KsqlDbEmulator> inject, String reason) {
            this.inject = inject;
            this.reason = reason;
        }
    }

    @BeforeEach
    void start() throws Exception {
        log.start();
        root().addAppender(log);
        ksqldb = KsqlDbEmulator.start();
        products = ksqldb.createTable("PRODUCTS", "PRODUCTS", List.of("PRODUCT_ID STRING", "PURCHASE_COUNT BIGINT"),
                List.of("PRODUCT_ID"));
        fill(1);
        service = new Service(dir);
        service.feedFile("products.json", "{\"feed_name\": \"products\", \"feed_type\": \"table\", \"ksqldb_source\": \"PRODUCTS\"}");
        service.set("datalake.ksqldb.url", ksqldb.url()).set("datalake.feeds.autostart", "false");
        RETRY.forEach(service::set);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        ksqldb.close();
        root().detachAppender(log);
    }

    private static ch.qos.logback.classic.Logger root() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private void fill(int round) {
        for (int p = 0; p < 20; p++) {
            products.insert(1000L * round, "PROD-" + p, (long) p * round);
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void aFaultIsRetriedWithBackoffThenThePreviousVersionStaysCurrentAndTheNextRunPublishes(Fault fault) throws Exception {
        service.start();
        assertThat(export("products")).startsWith("version v1 (20 rows)");
        fill(2);
        for (int i = 0; i <= REDELIVERIES; i++) {
            fault.inject.accept(ksqldb);
        }
        int before = ksqldb.requests().size();
        Instant started = Instant.now();

        assertThatThrownBy(() -> export("products")).satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains(fault.reason));

        assertBackedOff(queriesSince(before));
        assertOnlyVersionOneIsInTheLake();
        JsonNode meta = metadata("tables/products");
        assertThat(meta.get("current_version").asInt()).isEqualTo(1);
        assertThat(meta.get("last_error").asText()).contains("snapshot failed after 4 attempts, version v1 stays current: ")
                .contains(fault.reason);
        assertThat(Instant.parse(meta.get("last_error_at").asText())).isBetween(started, Instant.now());
        assertThat(warnings()).filteredOn(l -> l.contains("products: attempt ")).hasSize(REDELIVERIES)
                .allMatch(l -> l.contains(fault.reason));
        assertThat(warnings()).filteredOn(l -> l.startsWith("products: snapshot failed after 4 attempts"))
                .singleElement().asString().contains(fault.reason);
        assertThat(exportLog()).filteredOn(l -> l.get("action").asText().equals("snapshot_failed")).singleElement()
                .satisfies(l -> assertThat(l.get("attempts").asInt()).isEqualTo(4));
        assertThat(errors()).as("a ksqlDB fault is no error of the service: no stack trace").isEmpty();

        // the fault is gone: the next run publishes v2 with the new rows, and the error is cleared
        assertThat(export("products")).startsWith("version v2 (20 rows)");
        assertThat(service.lake().rows("SELECT PURCHASE_COUNT FROM " + version("products", 2) + " WHERE PRODUCT_ID = 'PROD-7'")
                .toString()).isEqualTo("[[14]]");
        meta = metadata("tables/products");
        assertThat(meta.get("current_version").asInt()).isEqualTo(2);
        assertThat(meta.get("last_error").isNull()).isTrue();
        assertThat(meta.get("last_error_at").isNull()).isTrue();
    }

    @Test
    void aQueryKsqlDbRefusesIsNotRetried() throws Exception {
        service.start();
        export("products");
        ksqldb.drop("PRODUCTS"); // the table is gone: ksqlDB answers 400 with a statement error, as often as asked
        int before = ksqldb.requests().size();

        assertThatThrownBy(() -> export("products")).satisfies(e -> assertThat(FeedRouteManager.reason(e))
                .startsWith("ksqlDB answered HTTP 400, error 40001: ").contains("PRODUCTS"));

        assertThat(queriesSince(before)).hasSize(1);
        assertOnlyVersionOneIsInTheLake();
        assertThat(metadata("tables/products").get("last_error").asText())
                .contains("snapshot failed, version v1 stays current: ksqlDB answered HTTP 400, error 40001");
        assertThat(warnings()).noneMatch(l -> l.contains("attempt "));
    }

    @Test
    void aFaultThatClearsWithinTheRetriesIsNotAnError() throws Exception {
        service.start();
        Fault.DROPPED_MID_STREAM.inject.accept(ksqldb);
        Fault.HTTP_500.inject.accept(ksqldb);
        int before = ksqldb.requests().size();

        assertThat(export("products")).startsWith("version v1 (20 rows)");

        assertThat(queriesSince(before)).hasSize(3);
        assertThat(versionDirs("products")).containsExactly("version=v1");
        assertThat(service.lake().count("SELECT count(*) FROM " + version("products", 1))).isEqualTo(20);
        assertThat(metadata("tables/products").get("last_error").isNull()).isTrue();
        assertThat(warnings()).filteredOn(l -> l.contains("products: attempt ")).satisfiesExactly(
                l -> assertThat(l).startsWith("products: attempt 1 of 4 failed, retrying: ").contains(Fault.DROPPED_MID_STREAM.reason),
                l -> assertThat(l).isEqualTo("products: attempt 2 of 4 failed, retrying: " + Fault.HTTP_500.reason));
        assertThat(warnings()).noneMatch(l -> l.contains("snapshot failed"));
    }

    @Test
    void aStreamPollIsRetriedAndLandsEveryRowOnceWhenTheFaultIsGone() throws Exception {
        KsqlDbEmulator.Source payments = ksqldb.createStream("PAYMENTS", "PAYMENTS",
                List.of("PAYMENT_ID STRING", "AMOUNT DOUBLE"), List.of());
        long day = Instant.parse("2025-10-13T00:00:00Z").toEpochMilli();
        for (int i = 0; i < 30; i++) {
            payments.insert(day + i * 60_000L, "PAY-" + i, i + 0.5);
        }
        service.feedFile("payments.json", "{\"feed_name\": \"payments\", \"feed_type\": \"stream\", \"source\": \"ksqldb\", "
                + "\"ksqldb_source\": \"PAYMENTS\"}");
        service.start();
        for (int i = 0; i <= REDELIVERIES; i++) {
            ksqldb.dropNextAfterRows(QUERY, 10);
        }
        int before = ksqldb.requests().size();

        assertThatThrownBy(() -> export("payments")).satisfies(e -> assertThat(FeedRouteManager.reason(e)).contains("connection dropped"));

        assertBackedOff(queriesSince(before));
        JsonNode meta = metadata("streams/payments");
        assertThat(meta.path("watermarks").path("PAYMENTS").isMissingNode()).isTrue();
        assertThat(meta.get("last_error").asText()).contains("poll failed after 4 attempts, the watermark stays: ")
                .contains("connection dropped");
        assertThat(parquetFiles(service.lakeRoot().resolve("streams/payments"))).isEmpty();
        assertThat(warnings()).anyMatch(l -> l.startsWith("payments: poll failed after 4 attempts") && l.contains("connection dropped"));

        ksqldb.dropNextAfterRows(QUERY, 10);
        assertThat(export("payments")).startsWith("30 rows landed, 0 rejected, 0 already in the lake");
        Lake lake = service.lake();
        assertThat(lake.count("SELECT count(DISTINCT PAYMENT_ID) FROM " + lake.stream("payments"))).isEqualTo(30);
        assertThat(lake.count("SELECT count(*) FROM " + lake.stream("payments"))).isEqualTo(30);
        meta = metadata("streams/payments");
        assertThat(meta.at("/watermarks/PAYMENTS").asLong()).isEqualTo(day + 29 * 60_000L);
        assertThat(meta.get("last_error").isNull()).isTrue();
        assertThat(meta.get("last_error_at").isNull()).isTrue();
    }

    @Test
    void aScheduledSnapshotRetriesLogsTheFailureAndTheNextFirePublishes() throws Exception {
        service.feedFile("products.json", "{\"feed_name\": \"products\", \"feed_type\": \"table\", "
                + "\"ksqldb_source\": \"PRODUCTS\", \"schedule\": \"0/1 * * * * ?\"}");
        for (int i = 0; i <= REDELIVERIES; i++) {
            Fault.HTTP_500.inject.accept(ksqldb);
        }
        service.start();
        service.feeds().startAll();

        await().atMost(30, SECONDS).until(() -> Files.isDirectory(service.lakeRoot().resolve("logs"))
                && exportLog().stream().anyMatch(l -> l.get("action").asText().equals("snapshot")));
        List<KsqlDbEmulator.RecordedRequest> queries = queriesSince(0);
        assertBackedOff(queries.subList(0, REDELIVERIES + 1));
        assertThat(warnings()).filteredOn(l -> l.contains("products: snapshot failed after 4 attempts, version (none) stays current: "
                + Fault.HTTP_500.reason)).hasSize(1);
        assertThat(exportLog()).extracting(l -> l.get("action").asText()).startsWith("snapshot_failed", "snapshot");
        assertThat(service.lake().count("SELECT count(*) FROM " + version("products", 1))).isEqualTo(20);
        assertThat(metadata("tables/products").get("last_error").isNull()).isTrue();
        assertThat(errors()).as("a ksqlDB fault is no error of the service: no stack trace").isEmpty();
    }

    @Test
    void exportOnTheCommandLineRetriesThenExitsOneWithTheReason() throws Exception {
        for (int i = 0; i <= REDELIVERIES; i++) {
            Fault.HTTP_500.inject.accept(ksqldb);
        }
        Cli.Result r = Cli.run(dir, service.settings(), "export", "--table", "products");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).filteredOn(l -> l.startsWith("camel-datalake export:"))
                .containsExactly("camel-datalake export: products: " + Fault.HTTP_500.reason);
        assertThat(r.err()).filteredOn(l -> l.contains("products: attempt ")).hasSize(REDELIVERIES);
        assertBackedOff(queriesSince(0));
        assertThat(versionDirs("products")).isEmpty();
        assertThat(metadata("tables/products").get("last_error").asText()).contains("snapshot failed after 4 attempts");
    }

    // ---- helpers ----

    private String export(String feed) throws Exception {
        FeedRouteManager m = service.feeds();
        return m.exportOnce(m.catalog().feed(feed));
    }

    private List<KsqlDbEmulator.RecordedRequest> queriesSince(int index) {
        List<KsqlDbEmulator.RecordedRequest> all = ksqldb.requests();
        return all.subList(index, all.size()).stream().filter(r -> r.path().equals(QUERY)).toList();
    }

    /** 1 + maximumRedeliveries queries, each wait at least the backoff's, and the waits growing as it doubles. */
    private static void assertBackedOff(List<KsqlDbEmulator.RecordedRequest> queries) {
        assertThat(queries).hasSize(REDELIVERIES + 1);
        assertThat(queries).extracting(KsqlDbEmulator.RecordedRequest::body).containsOnly(queries.get(0).body());
        long[] gaps = new long[REDELIVERIES];
        for (int i = 0; i < REDELIVERIES; i++) {
            gaps[i] = Duration.between(queries.get(i).receivedAt(), queries.get(i + 1).receivedAt()).toMillis();
        }
        for (int i = 0; i < REDELIVERIES; i++) {
            assertThat(gaps[i]).as("wait before attempt %d (waits %s)", i + 2, java.util.Arrays.toString(gaps))
                    .isGreaterThanOrEqualTo(BACKOFF[i]);
        }
        // each gap is a failed attempt's duration plus the wait; the last two attempts take about as long (the first
        // may be slower, cold), so a flat delay would leave the last two gaps about equal
        assertThat(gaps[REDELIVERIES - 1] - gaps[REDELIVERIES - 2]).as("waits %s grow", java.util.Arrays.toString(gaps))
                .isGreaterThanOrEqualTo((BACKOFF[REDELIVERIES - 1] - BACKOFF[REDELIVERIES - 2]) / 2);
    }

    private void assertOnlyVersionOneIsInTheLake() throws Exception {
        assertThat(versionDirs("products")).containsExactly("version=v1");
        Path table = service.lakeRoot().resolve("tables/products");
        try (Stream<Path> files = Files.walk(table)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> table.relativize(p).toString()).toList())
                    .allMatch(p -> p.equals("_metadata.json") || p.matches("version=v1/snapshot_\\d{8}_\\d{6}\\.parquet"));
        }
    }

    private List<String> versionDirs(String feed) throws Exception {
        Path table = service.lakeRoot().resolve("tables").resolve(feed);
        if (!Files.isDirectory(table)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(table)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version=")).sorted().toList();
        }
    }

    private static List<Path> parquetFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }

    private String version(String feed, int v) {
        return "read_parquet('" + service.lakeRoot().resolve("tables").resolve(feed).resolve("version=v" + v) + "/*.parquet')";
    }

    private JsonNode metadata(String feedDir) throws Exception {
        return JSON.readTree(service.lakeRoot().resolve(feedDir).resolve("_metadata.json").toFile());
    }

    private List<JsonNode> exportLog() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(service.lakeRoot().resolve("logs"))) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }

    /** The messages logged at WARN or above. */
    private List<String> warnings() {
        return logged(Level.WARN).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The ERROR lines, with their logger. */
    private List<String> errors() {
        return logged(Level.ERROR).stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
    }

    private List<ILoggingEvent> logged(Level atLeast) {
        synchronized (log) {
            return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast)).toList();
        }
    }
}
