package org.cameldatalake.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cameldatalake.demo.DemoProducer;
import org.cameldatalake.demo.EmbeddedKafka;
import org.cameldatalake.demo.ksqldb.SimulatedKsqlDb;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's ksqlDB side, piece by piece as {@code demo} runs it: its broker and producer, the simulated ksqlDB
 * following the transaction topics, the service on the eight seed-000 ksqlDB feed files as shipped, and the first
 * runs that do not wait for the feeds' 10-minute schedule. Every table and stream in the lake is checked against the
 * transactions the stream feed landed, with DuckDB.
 */
class DemoKsqlDbTest {
    private static final List<String> STREAMS = List.of("transaction_stream", "transaction_flattened",
            "transaction_stream_anonymized", "transaction_stream_blacklisted");
    private static final List<String> TABLES = List.of("user_transaction_summary", "user_transaction_summary_eur",
            "payment_method_totals", "product_purchase_counts");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theKsqlDbFeedsPublishTableVersionsAndLandStreamRowsDerivedFromTheDemoTransactions() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(2, DemoProducer.TOPICS);
            Running history = producer(kafka, 400, 0);
            try (SimulatedKsqlDb ksqldb = SimulatedKsqlDb.start(kafka.bootstrapServers());
                 Service service = new Service(dir)) {
                for (String feed : concat(STREAMS, TABLES)) {
                    Files.copy(Path.of("feeds/active", feed + ".json"),
                            service.feedsDir().resolve("active").resolve(feed + ".json"));
                }
                service.set("camel.component.kafka.brokers", kafka.bootstrapServers())
                        .set("datalake.ksqldb.url", ksqldb.url()).start();
                Lake lake = service.lake();

                DemoCommand.runKsqlDbFeedsOnce(service.context(), history.producer(), ksqldb, WAIT);
                long transactions = transactionsIn(kafka);
                assertThat(transactions).isEqualTo(400);
                assertLakeHolds(lake, transactions);
                List<String> firstVersions = currentVersions(lake);
                assertThat(firstVersions).allMatch(v -> v.matches("version=v\\d+"));

                // live transactions, stamped now: the next poll lands exactly those, the next snapshots count them
                Running live = producer(kafka, 0, 40);
                await().atMost(WAIT).until(() -> transactionsIn(kafka) >= transactions + 40);
                live.stop();
                DemoCommand.runKsqlDbFeedsOnce(service.context(), live.producer(), ksqldb, WAIT);
                long more = transactionsIn(kafka);
                assertLakeHolds(lake, more);
                List<String> secondVersions = currentVersions(lake);
                for (int i = 0; i < TABLES.size(); i++) {
                    assertThat(secondVersions.get(i)).as(TABLES.get(i)).isNotEqualTo(firstVersions.get(i));
                }
                assertThat(ksqldb.recordsSkipped()).isZero();
            } finally {
                history.stop();
            }
        }
    }

    private static void assertLakeHolds(Lake lake, long transactions) throws Exception {
        String stream = lake.stream("transaction_stream");
        assertThat(lake.count("SELECT count(*) FROM " + stream)).isEqualTo(transactions);
        assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + stream)).isEqualTo(transactions);
        String flattened = lake.stream("transaction_flattened");
        assertThat(lake.count("SELECT count(*) FROM " + flattened + " f JOIN " + stream + " s USING (TRANSACTION_ID) "
                + "WHERE f.LOCATION_CITY = s.LOCATION.CITY AND f.DEVICE_INFO_IP_ADDRESS = s.DEVICE_INFO.IP_ADDRESS "
                + "AND f.AMOUNT = s.AMOUNT")).isEqualTo(transactions);
        String anonymized = lake.stream("transaction_stream_anonymized");
        assertThat(lake.count("SELECT count(*) FROM " + anonymized + " a JOIN " + stream + " s USING (TRANSACTION_ID) "
                + "WHERE regexp_full_match(a.USER_ID, 'XXXX-n{4}') AND regexp_full_match(a.USER_NAME, 'Xx+') "
                + "AND a.COUNTRY = s.LOCATION.COUNTRY")).isEqualTo(transactions);
        String blacklisted = lake.stream("transaction_stream_blacklisted");
        long blacklist = lake.count("SELECT count(*) FROM " + blacklisted + " b JOIN " + stream + " s USING (TRANSACTION_ID)");
        assertThat(blacklist).isPositive().isLessThan(transactions / 4)
                .isEqualTo(lake.count("SELECT count(*) FROM " + blacklisted));

        // each table's current version is its aggregate over every transaction so far
        assertThat(lake.rows("SELECT count(*), CAST(sum(TRANSACTION_COUNT) AS BIGINT) FROM " + current(lake, "user_transaction_summary")
                + " t JOIN (SELECT USER_ID, count(*) n, round(sum(AMOUNT), 6) total FROM " + stream + " GROUP BY USER_ID) s "
                + "USING (USER_ID) WHERE t.TRANSACTION_COUNT = s.n AND round(t.TOTAL_SPENT, 6) = s.total").get(0))
                .containsExactly(lake.count("SELECT count(DISTINCT USER_ID) FROM " + stream), transactions);
        assertThat(lake.count("SELECT count(*) FROM " + current(lake, "user_transaction_summary_eur")
                + " t FULL JOIN (SELECT USER_ID, count(*) n, sum(CAST(AMOUNT AS DECIMAL(12, 2))) total FROM " + stream
                + " WHERE CURRENCY = 'EUR' GROUP BY USER_ID) s USING (USER_ID) "
                + "WHERE t.TRANSACTION_COUNT IS DISTINCT FROM s.n OR t.TOTAL_SPENT_EUR IS DISTINCT FROM s.total")).isZero();
        assertThat(lake.count("SELECT count(*) FROM " + current(lake, "payment_method_totals")
                + " t FULL JOIN (SELECT PAYMENT_METHOD, count(*) n FROM " + stream + " GROUP BY PAYMENT_METHOD) s "
                + "USING (PAYMENT_METHOD) WHERE t.TRANSACTION_COUNT IS DISTINCT FROM s.n")).isZero();
        assertThat(lake.count("SELECT count(*) FROM " + current(lake, "product_purchase_counts")
                + " t FULL JOIN (SELECT PRODUCT_ID, count(*) n FROM " + stream + " WHERE TRANSACTION_TYPE = 'purchase' "
                + "GROUP BY PRODUCT_ID) s USING (PRODUCT_ID) WHERE t.PURCHASE_COUNT IS DISTINCT FROM s.n")).isZero();
    }

    /** The table's current version, as _metadata.json points readers to it. */
    private static String current(Lake lake, String table) throws Exception {
        Path dir = lake.root().resolve("tables").resolve(table);
        return "read_parquet('" + dir.resolve(currentPath(dir)) + "/*.parquet')";
    }

    private static String currentPath(Path table) throws Exception {
        return JSON.readTree(table.resolve("_metadata.json").toFile()).path("current_path").asText();
    }

    private static List<String> currentVersions(Lake lake) throws Exception {
        List<String> paths = new java.util.ArrayList<>();
        for (String table : TABLES) {
            paths.add(currentPath(lake.root().resolve("tables").resolve(table)));
        }
        return paths;
    }

    private static long transactionsIn(EmbeddedKafka kafka) throws Exception {
        return KafkaSupport.endOffsets(kafka, "TRANSACTIONS_SECURE", 2).values().stream().mapToLong(Long::longValue).sum();
    }

    /** A demo producer on its thread. */
    private record Running(DemoProducer producer, Thread thread) {
        /** Stops it and waits until it has closed: everything it sent is in the topics. */
        void stop() throws InterruptedException {
            producer.stop();
            thread.join(WAIT.toMillis());
        }
    }

    private static Running producer(EmbeddedKafka kafka, int initial, int perSecond) {
        DemoProducer producer = new DemoProducer(kafka.bootstrapServers(), initial, perSecond);
        Thread thread = new Thread(producer, "test-demo-producer");
        thread.setDaemon(true);
        thread.start();
        return new Running(producer, thread);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
