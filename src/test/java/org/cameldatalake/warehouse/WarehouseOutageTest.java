package org.cameldatalake.warehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cameldatalake.support.Changelogs.awaitCommittedToTheEnd;
import static org.cameldatalake.support.Changelogs.record;
import static org.cameldatalake.support.Changelogs.warehouseRejections;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.LogCapture;
import org.cameldatalake.support.Service;
import org.cameldatalake.support.TcpProxy;
import org.cameldatalake.support.WarehouseServers;
import org.cameldatalake.support.WarehouseServers.Db;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A warehouse server that goes away under the running service (PostgreSQL and MariaDB, reached through a TCP relay
 * the test cuts): the mirror rejects nothing, retries with a growing back-off instead of a hot loop, readiness is
 * DOWN and names the warehouse (its password masked), and once the server is back every record lands, with no restart.
 * SQLite has no server to lose; its outage is a file another writer keeps locked.
 */
class WarehouseOutageTest {
    private static final Pattern HOST_PORT = Pattern.compile("//[^/:]+:(\\d+)/");
    private static final String PASSWORD = "0utage-S3cret";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Db.class, names = {"POSTGRESQL", "MARIADB"})
    void aDatabaseThatIsDownIsWaitedOutAndTheMirrorResumesByItself(Db db) throws Exception {
        String suffix = db.name().toLowerCase(Locale.ROOT);
        String topic = "OUTAGE_" + db.name();
        KafkaSupport.broker().createTopics(1, List.of(topic));
        String url = WarehouseServers.freshDatabase(db);
        Matcher m = HOST_PORT.matcher(url);
        assertThat(m.find()).as(url).isTrue();
        int management = Http.freePort();
        try (TcpProxy proxy = new TcpProxy(Integer.parseInt(m.group(1)));
             LogCapture log = new LogCapture();
             Service service = new Service(dir)) {
            // PostgreSQL's embedded server trusts local logins, so the password is only there to be masked
            String proxied = m.replaceFirst("//127.0.0.1:" + proxy.port() + "/") + (db == Db.POSTGRESQL ? "&password=" + PASSWORD : "");
            service.set("datalake.warehouse.url", proxied)
                    .set("datalake.management.port", String.valueOf(management))
                    .set("datalake.warehouse.retry.maximum-redeliveries", "4")
                    .set("datalake.warehouse.retry.redelivery-delay", "200")
                    .set("datalake.warehouse.retry.backoff-multiplier", "2")
                    .set("datalake.warehouse.retry.maximum-redelivery-delay", "1600");
            service.feedFile("outage.json", """
                    {"feed_name": "outage_%s", "feed_type": "stream", "kafka_topic": "%s",
                     "warehouse": {"table": "balances", "key": ["USER_ID"], "key_format": "kafka"}}
                    """.formatted(suffix, topic));
            Map<String, String> group = Map.of(topic, "camel-datalake-warehouse-outage_" + suffix);
            String ready = "http://127.0.0.1:" + management + "/observe/health/ready";
            service.start();
            KafkaSupport.sendKeyBytes(balances(topic, 0, 10));
            awaitCommittedToTheEnd(group, 1);

            proxy.cut();
            int mark = log.mark();
            long cutAt = System.currentTimeMillis();
            KafkaSupport.sendKeyBytes(balances(topic, 10, 30));
            await().atMost(30, SECONDS).untilAsserted(() -> {
                HttpResponse<String> r = Http.get(ready);
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(Http.check(r.body(), "warehouse").path("status").asText()).isEqualTo("DOWN");
                assertThat(Http.check(r.body(), "warehouse").path("message").asText()).startsWith("the warehouse jdbc:")
                        .contains("cannot be written");
            });
            assertThat(Http.get(ready).body()).doesNotContain(PASSWORD);
            await().atMost(30, SECONDS).until(() -> log.times(mark, "warehouse outage_" + suffix, "failed").size() >= 5);
            List<Long> attempts = log.times(mark, "warehouse outage_" + suffix, "failed");
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < 4; i++) {
                gaps.add(attempts.get(i) - attempts.get(i - 1));
            }
            // 200, 400, 800 ms: each wait about twice the one before
            assertThat(gaps.get(0)).as("gaps %s", gaps).isGreaterThanOrEqualTo(150);
            assertThat(gaps.get(1)).as("gaps %s", gaps).isGreaterThan(gaps.get(0) * 3 / 2);
            assertThat(gaps.get(2)).as("gaps %s", gaps).isGreaterThan(gaps.get(1) * 3 / 2);
            assertThat(log.since(mark, "warehouse outage_" + suffix, "the warehouse jdbc:", "is unavailable")).isNotEmpty();

            await().pollDelay(4, SECONDS).atMost(10, SECONDS).until(() -> true);
            long outage = System.currentTimeMillis() - cutAt;
            int tries = log.times(mark, "warehouse outage_" + suffix, "failed").size();
            assertThat(tries).as("%d attempts in %d ms: no hot loop", tries, outage).isLessThan((int) (outage / 200) + 2);
            assertThat(warehouseRejections(service.lakeRoot().resolve("_rejected/outage_" + suffix)))
                    .as("an unavailable database rejects nothing").isEmpty();

            proxy.restore();
            awaitCommittedToTheEnd(group, 1);
            Sql sql = new Sql(url);
            List<List<Object>> rows = sql.rows("SELECT " + sql.cols("USER_ID", "BALANCE") + " FROM " + sql.q("balances")
                    + " ORDER BY " + sql.q("BALANCE"));
            assertThat(rows).hasSize(30);
            for (int i = 0; i < 30; i++) {
                assertThat(rows.get(i)).containsExactly("u" + i, (long) i);
            }
            await().atMost(30, SECONDS).until(() -> Http.get(ready).statusCode() == 200);
            assertThat(log.lines()).noneMatch(l -> l.contains(PASSWORD));
        }
    }

    @Test
    void aSqliteFileLockedByAnotherWriterIsWaitedOutNotRejected() throws Exception {
        String topic = "OUTAGE_SQLITE";
        KafkaSupport.broker().createTopics(1, List.of(topic));
        int management = Http.freePort();
        try (LogCapture log = new LogCapture(); Service service = new Service(dir)) {
            service.set("datalake.management.port", String.valueOf(management))
                    .set("datalake.warehouse.retry.redelivery-delay", "200");
            service.feedFile("outage.json", """
                    {"feed_name": "outage_sqlite", "feed_type": "stream", "kafka_topic": "%s",
                     "warehouse": {"table": "balances", "key": ["USER_ID"], "key_format": "kafka"}}
                    """.formatted(topic));
            Map<String, String> group = Map.of(topic, "camel-datalake-warehouse-outage_sqlite");
            service.start();
            KafkaSupport.sendKeyBytes(balances(topic, 0, 3));
            awaitCommittedToTheEnd(group, 1);

            // an analyst's write transaction holds the file longer than the service's busy timeout (10 s)
            String url = WarehouseServers.sqliteUrl(service.lakeRoot());
            try (Connection analyst = DriverManager.getConnection(url); Statement s = analyst.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
                int mark = log.mark();
                KafkaSupport.sendKeyBytes(balances(topic, 3, 6));
                await().atMost(40, SECONDS).until(() -> !log.since(mark, "warehouse outage_sqlite: attempt 1 of", "is unavailable").isEmpty());
                HttpResponse<String> ready = Http.get("http://127.0.0.1:" + management + "/observe/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(Http.check(ready.body(), "warehouse").path("message").asText()).contains("cannot be written")
                        .containsIgnoringCase("locked");
                s.execute("ROLLBACK");
            }
            awaitCommittedToTheEnd(group, 1);
            Sql sql = new Sql(url);
            assertThat(sql.rows("SELECT count(*) FROM " + sql.q("balances"))).containsExactly(List.of(6L));
            assertThat(warehouseRejections(service.lakeRoot().resolve("_rejected/outage_sqlite")))
                    .as("a locked database rejects nothing").isEmpty();
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> balances(String topic, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(record(topic, "u" + i, "{\"BALANCE\": " + i + "}"));
        }
        return out;
    }
}
