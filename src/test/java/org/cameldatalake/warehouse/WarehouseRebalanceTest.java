package org.cameldatalake.warehouse;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cameldatalake.support.Changelogs.awaitCommittedToTheEnd;
import static org.cameldatalake.support.Changelogs.record;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.LogCapture;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the service mirror one changelog, as the assignment epochs of the lake routes guard against:
 * instance A fetches the old states of keys x0 and x1 and holds them in its batch (a long batching interval), instance
 * B joins, takes one partition, mirrors newer states of its key and leaves; A gets the partition back. The old state
 * A fetched before the rebalance must not overwrite what B wrote: the warehouse ends with the newest state of both
 * keys. (SQLite: the database plays no part in this.)
 */
class WarehouseRebalanceTest {
    private static final String TOPIC = "REBALANCE_CHANGELOG";
    private static final String GROUP = "camel-datalake-warehouse-rebalanced";

    @TempDir
    Path dir;

    @Test
    void recordsFetchedBeforeARebalanceDoNotOverwriteWhatAnotherInstanceWrote() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of(TOPIC));
        String url = "jdbc:sqlite:" + dir.resolve("dwh.db");
        String feed = """
                {"feed_name": "rebalanced", "feed_type": "stream", "kafka_topic": "%s",
                 "warehouse": {"table": "states", "key": ["K"], "key_format": "kafka"}}
                """.formatted(TOPIC);
        KafkaSupport.sendKeyBytes(List.of(state(0, "x0", "old"), state(1, "x1", "old")));
        AtomicBoolean ticking = new AtomicBoolean(true);
        Thread ticker = new Thread(() -> tick(ticking), "ticker");
        try (LogCapture log = new LogCapture();
             Service a = new Service(dir.resolve("a"));
             Service b = new Service(dir.resolve("b"))) {
            // A holds what it fetches for a minute unless a poll comes back empty: the ticker keeps its polls full
            a.set("datalake.warehouse.url", url).set("datalake.kafka.batching-interval-ms", "60000")
                    .set("datalake.kafka.max-poll-records", "1000000").set("datalake.kafka.poll-timeout-ms", "3000");
            b.set("datalake.warehouse.url", url);
            a.feedFile("rebalanced.json", feed);
            b.feedFile("rebalanced.json", feed);
            ticker.start();
            a.start();
            await().atMost(30, SECONDS).until(() -> assignments().size() == 1);

            b.start(); // the group rebalances: one partition each
            await().atMost(30, SECONDS).until(() -> assignments().size() == 2
                    && assignments().values().stream().allMatch(p -> p.size() == 1));
            KafkaSupport.sendKeyBytes(List.of(state(0, "x0", "new"), state(1, "x1", "new")));
            Sql sql = new Sql(url);
            await().atMost(30, SECONDS).ignoreExceptions().until(() -> sql.rows("SELECT " + sql.q("S") + " FROM " + sql.q("states")
                    + " WHERE " + sql.q("K") + " IN ('x0', 'x1')").contains(List.of("new")));
            Map<Integer, Long> byB = KafkaSupport.committed(GROUP, TOPIC);
            assertThat(byB).as("only B has committed yet: A still holds its first batch").hasSize(1);
            b.stop(); // A gets both partitions back, its batch still holding the old states
            await().atMost(30, SECONDS).until(() -> assignments().size() == 1
                    && assignments().values().iterator().next().size() == 2);
            ticking.set(false); // A's next empty poll hands its batch over
            ticker.join();
            awaitCommittedToTheEnd(Map.of(TOPIC, GROUP), 2);

            assertThat(sql.rows("SELECT " + sql.cols("K", "S") + " FROM " + sql.q("states")
                    + " WHERE " + sql.q("K") + " IN ('x0', 'x1') ORDER BY 1"))
                    .containsExactly(List.of("x0", "new"), List.of("x1", "new"));
            assertThat(log.lines("warehouse-rebalanced:", "fetched before a rebalance dropped")).isNotEmpty();
        } finally {
            ticking.set(false);
            ticker.join();
        }
    }

    /** The warehouse group's members and the partitions each holds. */
    private static Map<String, List<Integer>> assignments() throws Exception {
        try (Admin admin = KafkaSupport.broker().admin()) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            Map<String, List<Integer>> out = new java.util.HashMap<>();
            for (MemberDescription m : g.members()) {
                out.put(m.consumerId(), m.assignment().topicPartitions().stream().map(tp -> tp.partition()).toList());
            }
            return out;
        }
    }

    private static ProducerRecord<byte[], byte[]> state(int partition, String key, String state) {
        ProducerRecord<byte[], byte[]> r = record(TOPIC, key, "{\"S\": \"" + state + "\"}");
        return new ProducerRecord<>(TOPIC, partition, r.key(), r.value());
    }

    /** Other keys' changes on both partitions, every 20 ms. */
    private static void tick(AtomicBoolean ticking) {
        try (KafkaProducer<String, byte[]> producer = KafkaSupport.producer()) {
            for (int n = 0; ticking.get(); n++) {
                for (int partition = 0; partition < 2; partition++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, "tick" + partition,
                            ("{\"S\": \"t" + n + "\"}").getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                Thread.sleep(20); // a pace, not a wait for anything
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
