package org.cameldatalake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.ksqldb.KsqlQueryResponse;
import org.cameldatalake.ksqldb.KsqlSnapshotRows;
import org.cameldatalake.support.FaultyFileSystem;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.MutableClock;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by partition date and by version count, and permissions, on a moved clock; read back with DuckDB. */
class MaintenanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Service service(MutableClock clock) throws Exception {
        return service(new Service(dir), clock);
    }

    private Service service(Service s, MutableClock clock) throws Exception {
        s.feedFile("events.json", "{\"feed_name\": \"events\", \"feed_type\": \"stream\", \"retention_days\": 3, "
                + "\"partitioning\": {\"timestamp_field\": \"TS\"}, \"security_level\": \"restricted\"}");
        s.feedFile("totals.json", "{\"feed_name\": \"totals\", \"feed_type\": \"table\", \"retention_versions\": 10, "
                + "\"security_level\": \"public\"}");
        return s.set("datalake.feeds.autostart", "false").start(clock);
    }

    /** Ten days of events, 2025-10-01 .. 2025-10-10, through the real append writer. */
    private static void tenDaysOfEvents(Service s) throws Exception {
        tenDaysOf(s, "events");
    }

    private static void tenDaysOf(Service s, String feedName) throws Exception {
        FeedDefinition feed = s.feeds().catalog().feed(feedName);
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LocalDate day = LocalDate.of(2025, 10, 1 + i % 10);
            records.add(new SourceRecord("EVENTS", 0, i, -1, null,
                    ("{\"ID\": " + i + ", \"TS\": \"" + day + "T12:00:00Z\"}").getBytes(StandardCharsets.UTF_8)));
        }
        s.feeds().withStreamWriter(feed, w -> w.append(records));
    }

    private static void snapshot(Service s, int round) throws Exception {
        String body = "[{\"header\":{\"queryId\":\"query_" + round + "\",\"schema\":\"`K` STRING KEY, `N` BIGINT\"}},\n"
                + "{\"row\":{\"columns\":[\"a\"," + round + "]}}]";
        FeedDefinition feed = s.feeds().catalog().feed("totals");
        s.feeds().openSnapshotWriter(feed).write(new KsqlSnapshotRows(new KsqlQueryResponse(
                new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))), feed.name(), feed.ksqldbSource(), 0));
    }

    private List<String> days(Lake lake) {
        return lake.rows("SELECT DISTINCT CAST(make_date(year, month, day) AS VARCHAR) FROM " + lake.stream("events") + " ORDER BY 1")
                .stream().map(r -> (String) r.get(0)).toList();
    }

    @Test
    void retentionDeletesExactlyThePartitionsOlderThanNDaysAndTheVersionsBeyondN() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-10-10T12:00:00Z"));
        try (Service s = service(clock)) {
            tenDaysOfEvents(s);
            Lake lake = s.lake();
            assertThat(days(lake)).hasSize(10);

            assertThat(s.maintenance().retention(true)).hasSize(6); // dry run: says, deletes nothing
            assertThat(days(lake)).hasSize(10);

            // today 2025-10-10, 3 days kept: partitions dated before 2025-10-07 go
            assertThat(s.maintenance().retention(false)).containsExactly("events: deleted year=2025/month=10/day=01",
                    "events: deleted year=2025/month=10/day=02", "events: deleted year=2025/month=10/day=03",
                    "events: deleted year=2025/month=10/day=04", "events: deleted year=2025/month=10/day=05",
                    "events: deleted year=2025/month=10/day=06");
            assertThat(days(lake)).containsExactly("2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10");
            assertThat(lake.count("SELECT count(*) FROM " + lake.stream("events"))).isEqualTo(40);
            JsonNode meta = JSON.readTree(dir.resolve("data_lake/streams/events/_metadata.json").toFile());
            assertThat(meta.get("total_records").asLong()).isEqualTo(40);
            assertThat(meta.get("partitions")).hasSize(4);

            clock.advance(java.time.Duration.ofDays(2)); // the clock moves: two more days fall out
            s.maintenance().retention(false);
            assertThat(days(lake)).containsExactly("2025-10-09", "2025-10-10");
            assertThat(logActions(dir, "retention")).isEqualTo(2);

            // tables: nine versions, v1 made current by a rollback; retention 7 keeps v3..v9 and the current v1
            for (int round = 1; round <= 9; round++) {
                snapshot(s, round);
            }
            FeedDefinition totals = s.feeds().catalog().feed("totals");
            s.feeds().openSnapshotWriter(totals).rollback(1);
            s.feedFile("totals.json", "{\"feed_name\": \"totals\", \"feed_type\": \"table\", \"retention_versions\": 7}");
            s.feeds().stop("totals"); // forget the writer made with the old definition
            assertThat(s.maintenance().retention(false)).containsExactly("totals: deleted version=v2");
            try (Stream<Path> v = Files.list(dir.resolve("data_lake/tables/totals"))) {
                assertThat(v.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("version=")).sorted())
                        .containsExactly("version=v1", "version=v3", "version=v4", "version=v5", "version=v6",
                                "version=v7", "version=v8", "version=v9");
            }
            assertThat(JSON.readTree(dir.resolve("data_lake/tables/totals/_metadata.json").toFile()).get("current_version").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aFeedWhoseRetentionFailsDoesNotStopTheOthersAndTheFailureIsLoggedCountedAndShown() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-10-10T12:00:00Z"));
        Service s = new Service(dir);
        FaultyFileSystem.Disk disk = FaultyFileSystem.install(s);
        s.feedFile("aaa_stuck.json", "{\"feed_name\": \"aaa_stuck\", \"feed_type\": \"stream\", \"retention_days\": 3, "
                + "\"partitioning\": {\"timestamp_field\": \"TS\"}}");
        try (Service started = service(s, clock)) {
            tenDaysOf(started, "aaa_stuck");
            tenDaysOfEvents(started);
            disk.unwritable().only("streams/aaa_stuck/year=");
            List<String> report = started.maintenance().retention(false);
            assertThat(report).anyMatch(l -> l.startsWith("aaa_stuck: retention failed: could not delete streams/aaa_stuck/year=2025/month=10/day=0"));
            assertThat(report).contains("events: deleted year=2025/month=10/day=06"); // after the failing feed
            Lake lake = started.lake();
            assertThat(days(lake)).containsExactly("2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10");
            JsonNode meta = new ObjectMapper().readTree(dir.resolve("data_lake/streams/aaa_stuck/_metadata.json").toFile());
            assertThat(meta.at("/maintenance/retention/outcome").asText()).isEqualTo("failed");
            assertThat(meta.at("/maintenance/retention/error").asText()).contains("could not delete");
            org.apache.camel.health.HealthCheck check = org.apache.camel.health.HealthCheckHelper.getHealthCheck(
                    started.context(), "maintenance");
            org.apache.camel.health.HealthCheck.Result health = check.call();
            assertThat(health.getState()).isEqualTo(org.apache.camel.health.HealthCheck.State.DOWN);
            assertThat(health.getMessage()).get().asString().contains("retention of feed aaa_stuck failed");
            io.micrometer.core.instrument.MeterRegistry metrics = started.context().getRegistry()
                    .findSingleByType(io.micrometer.core.instrument.MeterRegistry.class);
            assertThat(metrics.get("datalake.maintenance.failures").tags("feed", "aaa_stuck", "job", "retention")
                    .functionCounter().count()).isEqualTo(1.0);

            org.cameldatalake.support.Cli.Result doctor = org.cameldatalake.support.Cli.run(dir, started.settings(), "doctor");
            assertThat(doctor.out()).anyMatch(l -> l.contains("retention of feed aaa_stuck") && l.contains("could not delete"));

            disk.heal(); // the next run succeeds: health is UP again, the metadata says so
            assertThat(started.maintenance().retention(false)).contains("aaa_stuck: deleted year=2025/month=10/day=06");
            assertThat(check.call().getState()).isEqualTo(org.apache.camel.health.HealthCheck.State.UP);
            meta = new ObjectMapper().readTree(dir.resolve("data_lake/streams/aaa_stuck/_metadata.json").toFile());
            assertThat(meta.at("/maintenance/retention/outcome").asText()).isEqualTo("ok");
        }
    }

    @Test
    void permissionsFollowTheSecurityLevelAndDriftIsReported() throws Exception {
        try (Service s = service(new MutableClock(Instant.parse("2025-10-10T12:00:00Z")))) {
            tenDaysOfEvents(s);
            snapshot(s, 1);
            // files are born with their feed's modes: no drift even before the first permissions run
            assertThat(s.maintenance().permissions(true)).isEmpty();
            s.maintenance().permissions(false);
            assertThat(s.maintenance().permissions(true)).isEmpty();
            try (Stream<Path> all = Files.walk(dir.resolve("data_lake/streams/events"))) {
                for (Path p : all.filter(p -> !p.toString().contains("_temporary")).toList()) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwxr-x---" : "rw-r-----");
                }
            }
            Path snapshotDir = dir.resolve("data_lake/tables/totals/version=v1");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(snapshotDir))).isEqualTo("rwxr-xr-x");
            // someone opens up a restricted file: drift is reported, then fixed
            Path file;
            try (Stream<Path> all = Files.walk(dir.resolve("data_lake/streams/events"))) {
                file = all.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(s.maintenance().permissions(true)).singleElement().asString()
                    .contains(file.getFileName().toString()).contains("is 666, restricted wants 640");
            s.maintenance().permissions(false);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
            assertThat(logActions(dir, "permissions")).isEqualTo(1); // the one run that had something to fix
        }
    }

    @Test
    void theArchivingSweepMovesDisabledAndExpiredFeedsAndKeepsTheirData() throws Exception {
        try (Service s = service(new MutableClock(Instant.parse("2025-10-10T12:00:00Z")))) {
            tenDaysOfEvents(s);
            s.feedFile("old.json", "{\"feed_name\": \"old\", \"feed_type\": \"stream\", \"archive_after\": \"2025-10-01\"}");
            s.feedFile("off.json", "{\"feed_name\": \"off\", \"feed_type\": \"stream\", \"enabled\": false}");
            s.feedFile("later.json", "{\"feed_name\": \"later\", \"feed_type\": \"stream\", \"archive_after\": \"2025-12-31\"}");
            s.feedFile("events.json", "{\"feed_name\": \"events\", \"feed_type\": \"stream\", \"enabled\": false, "
                    + "\"partitioning\": {\"timestamp_field\": \"TS\"}}");
            assertThat(s.maintenance().archiveSweep()).containsExactlyInAnyOrder("old", "off", "events");
            try (Stream<Path> a = Files.list(s.feedsDir().resolve("archived"))) {
                assertThat(a.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("old.json", "off.json", "events.json");
            }
            assertThat(s.feedsDir().resolve("active/later.json")).exists();
            assertThat(s.lake().count("SELECT count(*) FROM " + s.lake().stream("events"))).isEqualTo(100); // data kept
            JsonNode meta = JSON.readTree(dir.resolve("data_lake/streams/events/_metadata.json").toFile());
            assertThat(meta.at("/maintenance/archived/reason").asText()).isEqualTo("enabled: false");
            assertThat(logActions(dir, "archive")).isEqualTo(3);
        }
    }

    static long logActions(Path dir, String action) throws Exception {
        long n = 0;
        try (Stream<Path> logs = Files.list(dir.resolve("data_lake/logs"))) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    if (JSON.readTree(line).path("action").asText().equals(action)) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
