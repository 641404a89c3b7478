package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.TransactionGenerator;
import org.cameldatalake.runtime.FeedRouteManager.State;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feed files added, changed, broken, disabled and deleted while the service runs and records flow. */
class HotReloadTest {
    @TempDir
    Path dir;

    private static String feed(String name, String topic, String extra) {
        return "{\"feed_name\": \"" + name + "\", \"feed_type\": \"stream\", \"kafka_topic\": \"" + topic + "\", "
                + "\"partitioning\": {\"timestamp_field\": \"TIMESTAMP\"}" + extra + "}";
    }

    @Test
    void feedFilesChangeWhileRecordsFlowAndEveryRecordLandsExactlyOnce() throws Exception {
        KafkaSupport.broker().createTopics(2, List.of("HR_A", "HR_B"));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread producer = new Thread(() -> {
            TransactionGenerator gen = new TransactionGenerator(31, LocalDate.of(2025, 10, 13), 2);
            try (KafkaProducer<String, byte[]> p = KafkaSupport.producer()) {
                while (running.get()) {
                    for (int i = 0; i < 20; i++) {
                        TransactionGenerator.Transaction t = gen.next();
                        byte[] v = t.json().getBytes(StandardCharsets.UTF_8);
                        p.send(new ProducerRecord<>("HR_A", null, t.eventTimeMillis(), t.userId(), v)).get();
                        p.send(new ProducerRecord<>("HR_B", null, t.eventTimeMillis(), t.userId(), v)).get();
                        sent.incrementAndGet();
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "hot-reload-producer");
        producer.start();
        Path active;
        try (Service service = new Service(dir)) {
            active = service.feedsDir().resolve("active");
            service.set("datalake.append.max-age", "1s").set("datalake.feeds.rescan-interval-ms", "60000").start();
            Lake lake = service.lake();

            // a new file starts its route within 5 s
            Files.writeString(active.resolve("hr_a.json"), feed("hr_a", "HR_A", ""));
            await().atMost(5, SECONDS).pollInterval(50, MILLISECONDS).until(() -> service.context().getRoute("feed-hr_a") != null);
            await().atMost(30, SECONDS).until(() -> lake.streamRows("hr_a") > 0);

            // a changed file replaces the route (here: compression and rotation)
            Files.writeString(active.resolve("hr_a.json"), feed("hr_a", "HR_A", ", \"compression\": \"zstd\", \"rotation\": {\"max_records\": 50}"));
            await().atMost(30, SECONDS).until(() -> lake.count("SELECT count(*) FROM parquet_metadata('"
                    + lake.root().resolve("streams/hr_a") + "/**/*.parquet') WHERE compression = 'ZSTD'") > 0);

            // an invalid edit keeps the running route and reports file and field
            Files.writeString(active.resolve("hr_b.json"), feed("hr_b", "HR_B", ""));
            await().atMost(5, SECONDS).pollInterval(50, MILLISECONDS).until(() -> service.context().getRoute("feed-hr_b") != null);
            Files.writeString(active.resolve("hr_b.json"), feed("hr_b", "HR_B", ", \"compression\": \"brotli\""));
            await().atMost(10, SECONDS).until(() -> service.feeds().status().stream()
                    .anyMatch(s -> s.state() == State.INVALID && s.detail().contains("hr_b.json: field 'compression'")));
            assertThat(service.context().getRoute("feed-hr_b")).isNotNull();
            long before = lake.streamRows("hr_b");
            await().atMost(30, SECONDS).until(() -> lake.streamRows("hr_b") > before); // still landing

            // enabled: false stops it; deleting a file stops it
            Files.writeString(active.resolve("hr_b.json"), feed("hr_b", "HR_B", ", \"enabled\": false"));
            await().atMost(10, SECONDS).until(() -> service.context().getRoute("feed-hr_b") == null);
            Files.delete(active.resolve("hr_a.json"));
            await().atMost(10, SECONDS).until(() -> service.context().getRoute("feed-hr_a") == null);

            // both come back and catch up
            running.set(false);
            producer.join();
            Files.writeString(active.resolve("hr_a.json"), feed("hr_a", "HR_A", ""));
            Files.writeString(active.resolve("hr_b.json"), feed("hr_b", "HR_B", ""));
            await().atMost(60, SECONDS).until(() -> lake.streamRows("hr_a") >= sent.get() && lake.streamRows("hr_b") >= sent.get());
            for (String f : List.of("hr_a", "hr_b")) {
                assertThat(lake.count("SELECT count(*) FROM " + lake.stream(f))).isEqualTo(sent.get());
                assertThat(lake.count("SELECT count(DISTINCT TRANSACTION_ID) FROM " + lake.stream(f))).isEqualTo(sent.get());
            }
            System.out.printf("hot reload test: %d records per topic across add, change, invalid edit, disable, delete, re-add%n", sent.get());
        } finally {
            running.set(false);
            producer.join();
        }
    }
}
