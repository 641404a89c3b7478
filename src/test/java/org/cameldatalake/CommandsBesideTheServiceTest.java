package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cameldatalake.ksqldb.KsqlDbEmulator;
import org.cameldatalake.support.Cli;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.PacedProducer;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line beside a running service (its own JVM) that ingests a Kafka stream feed and snapshots a ksqlDB
 * table every 2 s: the commands doing the scheduled work's job ({@code rollback}, {@code retention}) refuse within
 * seconds naming the instance that leads it, and work once the service is stopped; {@code feeds sync} and
 * {@code warehouse load} work beside it, changing no count and loading every lake row once. With one instance per lake (no cluster service) a
 * command refuses on what the feed folder's process lock says.
 */
class CommandsBesideTheServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "TX_BESIDE";
    private static final String FEED = "tx_beside";
    private static final String TABLE = "payment_method_totals";
    private static final int RECORDS = 7_500;
    private static final Duration CLI_BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    /** The service's settings, which the commands share. */
    private Map<String, String> settings;

    @Test
    void rollbackRefusesNamingTheLeaderWhileSyncAndWarehouseLoadWorkBeside() throws Exception {
        KafkaSupport.broker().createTopics(3, List.of(TOPIC));
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start();
             PacedProducer producer = new PacedProducer(KafkaSupport.broker().bootstrapServers(), TOPIC, 18L,
                     LocalDate.of(2025, 10, 13), 2, RECORDS, 500)) {
            Service service = withTable(new Service(dir), ksqldb);
            service.kafkaFeed(FEED, TOPIC);
            service.set("datalake.cluster.service", "file")
                    .set("datalake.append.max-records", "300")
                    .set("datalake.append.max-age", "1s");
            Lake lake = service.lake();
            ServiceProcess running = ServiceProcess.start(service, Map.of("datalake.cluster.member-id", "the-service"),
                    "commands-beside-the-service-test", "service");
            try {
                producer.allow(RECORDS / 10);
                await().atMost(90, SECONDS).pollInterval(200, MILLISECONDS).failFast("the service exited", running::exitedByItself)
                        .until(() -> tableMetadata().path("current_version").asInt() >= 2 && lake.streamRows(FEED) > 0);
                producer.allow(RECORDS * 6 / 10); // the rest once the commands have ended: they run on a lake still filling

                long start = System.nanoTime();
                Cli.Result refused = cli("rollback", "--table", TABLE, "--to", "v1").join();
                double refusedAfter = (System.nanoTime() - start) / 1e9;
                System.out.printf("commands beside the service: rollback refused after %.1f s (JVM start included): %s%n",
                        refusedAfter, refused.err().stream().filter(l -> l.startsWith("camel-datalake")).toList());
                assertThat(refused.exit()).as(String.join("\n", refused.out())).isEqualTo(1);
                assertThat(refused.err()).filteredOn(l -> l.startsWith("camel-datalake rollback:")).singleElement().asString()
                        .contains("instance 'the-service' leads the scheduled work of this lake")
                        .contains(Path.of("_cluster", "camel-datalake").toString()).contains("stop it");
                assertThat(refusedAfter).as("seconds to refuse, a JVM's start included").isLessThan(20);
                assertThat(tableMetadata().path("current_version").asInt()).as("current version after the refusal").isGreaterThan(1);

                // two commands at once while records arrive and snapshots go on
                int sentBefore = producer.sent();
                CompletableFuture<Cli.Result> sync = cli("feeds", "sync");
                CompletableFuture<Cli.Result> load = cli("warehouse", "load", "--feed", FEED);
                CompletableFuture<Cli.Result> retention = cli("retention");
                Cli.Result synced = sync.join();
                assertThat(synced.exit()).as(String.join("\n", synced.err())).isZero();
                assertThat(synced.out()).contains("in sync:  streams/" + FEED, "in sync:  tables/" + TABLE);
                Cli.Result loaded = load.join();
                assertThat(loaded.exit()).as(String.join("\n", loaded.err())).isZero();
                Cli.Result retained = retention.join();
                assertThat(retained.exit()).as(String.join("\n", retained.out())).isEqualTo(1);
                assertThat(retained.err()).filteredOn(l -> l.startsWith("camel-datalake retention:")).singleElement().asString()
                        .contains("instance 'the-service' leads the scheduled work of this lake");
                System.out.printf("commands beside the service: %d then %d of %d records sent while they ran; %s%n", sentBefore,
                        producer.sent(), RECORDS, loaded.out());
                assertThat(loaded.out()).singleElement().asString().matches(FEED + ": \\d+ file\\(s\\) loaded, 0 already loaded, "
                        + "\\d+ rows into table .*").doesNotContain(" " + RECORDS + " rows");
                producer.allowAll();

                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(60));
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> lake.streamRows(FEED) >= ids.size());
                running.stop();
            } finally {
                if (running.isAlive()) {
                    running.kill();
                }
            }

            // every record once in the lake and its metadata; the second load adds the rest, none twice
            assertThat(lake.streamRows(FEED)).isEqualTo(RECORDS);
            assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream(FEED))).isEqualTo(RECORDS);
            assertThat(metadata("streams", FEED).path("total_records").asLong()).as("_metadata.json total_records").isEqualTo(RECORDS);
            CompletableFuture<Cli.Result> rollback = cli("rollback", "--table", TABLE, "--to", "v1");
            Cli.Result loaded = cli("warehouse", "load", "--feed", FEED).join();
            assertThat(loaded.exit()).as(String.join("\n", loaded.err())).isZero();
            try (Connection c = DriverManager.getConnection(service.warehouseUrl()); Statement s = c.createStatement()) {
                assertThat(count(s, "SELECT count(*) FROM " + FEED)).as("warehouse rows").isEqualTo(RECORDS);
                assertThat(count(s, "SELECT count(DISTINCT TRANSACTION_ID) FROM " + FEED)).as("distinct ids in the warehouse")
                        .isEqualTo(RECORDS);
            }
            Cli.Result rolledBack = rollback.join();
            assertThat(rolledBack.exit()).as(String.join("\n", rolledBack.err())).isZero();
            assertThat(rolledBack.out()).contains(TABLE + ": version v1 is current");
            assertThat(tableMetadata().path("current_version").asInt()).isEqualTo(1);
        }
    }

    @Test
    void withOneInstancePerLakeACommandRefusesOnTheFeedFoldersProcessLock() throws Exception {
        try (KsqlDbEmulator ksqldb = KsqlDbEmulator.start(); Service service = withTable(new Service(dir), ksqldb)) {
            service.start();
            await().atMost(30, SECONDS).until(() -> tableMetadata().path("current_version").asInt() >= 1);
            Cli.Result refused = Cli.run(CLI_BOUND, dir, settings, Map.of(), "export", "--table", TABLE,
                    "--progress", "off");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).filteredOn(l -> l.startsWith("camel-datalake export:")).singleElement().asString()
                    .contains("feed " + TABLE + " is being written by another running process")
                    .contains("tables/" + TABLE).contains("stop it first");
        }
    }

    /** The shipped {@code payment_method_totals} table feed, snapshotting the emulator's table every 2 s. */
    private Service withTable(Service service, KsqlDbEmulator ksqldb) throws Exception {
        settings = service.settings();
        KsqlDbEmulator.Source table = ksqldb.createTable("PAYMENT_METHOD_TOTALS", "PAYMENT_METHOD_TOTALS",
                List.of("PAYMENT_METHOD STRING", "TOTAL_AMOUNT DOUBLE", "TRANSACTION_COUNT BIGINT"), List.of("PAYMENT_METHOD"));
        for (String m : List.of("apple_pay", "credit_card", "paypal")) {
            table.insert(1000L, m, 100.25, 1L);
        }
        ObjectNode feed = (ObjectNode) JSON.readTree(Path.of("feeds/active", TABLE + ".json").toFile());
        feed.put("schedule", "0/2 * * * * ?").put("retention_versions", 1000);
        service.feedFile(TABLE + ".json", JSON.writeValueAsString(feed));
        return service.set("datalake.ksqldb.url", ksqldb.url());
    }

    private CompletableFuture<Cli.Result> cli(String... args) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Cli.run(CLI_BOUND, dir, settings, Map.of(), args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private JsonNode tableMetadata() throws Exception {
        return metadata("tables", TABLE);
    }

    private JsonNode metadata(String kind, String feed) throws Exception {
        Path file = dir.resolve("data_lake").resolve(kind).resolve(feed).resolve("_metadata.json");
        return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
