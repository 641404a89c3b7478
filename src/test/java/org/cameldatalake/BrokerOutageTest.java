package org.cameldatalake;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.cameldatalake.demo.EmbeddedKafka;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.Lake;
import org.cameldatalake.support.LakeAudit;
import org.cameldatalake.support.PacedProducer;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker goes away for about 20 s in the middle of an ingest (longer than the consumer's session) and comes
 * back on the same port with the same data: readiness says DOWN, naming Kafka, for the whole outage and UP after;
 * liveness stays UP; the feed resumes by itself and the lake holds every produced record exactly once, including
 * those the producer sent while the broker was away. The test runs its own broker so that it may stop it.
 */
class BrokerOutageTest {
    private static final String TOPIC = "TX_OUTAGE";
    private static final String FEED = "tx_outage";
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 40_000;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    void feedResumesByItselfAfterTheBrokerIsAwayAndReadinessFollows(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("kafka")); Service service = new Service(dir.resolve("svc"))) {
            broker.createTopics(PARTITIONS, List.of(TOPIC));
            int port = Http.freePort();
            String observe = "http://localhost:" + port + "/observe";
            service.set("camel.component.kafka.brokers", broker.bootstrapServers())
                    .set("datalake.management.port", String.valueOf(port))
                    .set("datalake.append.max-records", "1000").set("datalake.append.max-age", "2s")
                    .set("datalake.kafka.max-poll-records", "500");
            service.kafkaFeed(FEED, TOPIC);
            service.start();
            Lake lake = service.lake();
            HttpResponse<String> ready = Http.get(observe + "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(Http.check(ready.body(), "kafka").path("status").asText()).isEqualTo("UP");

            try (PacedProducer producer = new PacedProducer(broker.bootstrapServers(), TOPIC, 21, LocalDate.of(2025, 6, 1),
                    3, RECORDS, 1_000).allowAll()) {
                await().atMost(60, SECONDS).pollInterval(200, MILLISECONDS).until(() -> lake.streamRows(FEED) >= 5_000);
                long stopped = System.nanoTime();
                int sentBefore = producer.sent();
                broker.stop();
                long landedAtStop = lake.streamRows(FEED);

                await().atMost(30, SECONDS).untilAsserted(() -> {
                    HttpResponse<String> down = Http.get(observe + "/health/ready");
                    assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                    JsonNode kafka = Http.check(down.body(), "kafka");
                    assertThat(kafka.path("status").asText()).isEqualTo("DOWN");
                    assertThat(kafka.path("message").asText()).startsWith("Kafka is unreachable at " + broker.bootstrapServers());
                });
                assertThat(Http.get(observe + "/health/live").statusCode()).as("liveness does not depend on Kafka").isEqualTo(200);
                // DOWN for as long as the broker is away (each probe of an absent broker takes its 3 s timeout)
                await().atMost(OUTAGE.plusSeconds(15)).pollInterval(1, SECONDS)
                        .failFast("readiness said UP while the broker was away",
                                () -> Http.get(observe + "/health/ready").statusCode() != 503)
                        .until(() -> System.nanoTime() - stopped >= OUTAGE.toNanos());
                long restarting = System.nanoTime();
                broker.restart();
                System.out.printf("outage test: broker stopped for %.1f s, then %.1f s to start again; %d records sent "
                                + "before, %d while it was away; %d in the lake when it stopped%n",
                        (restarting - stopped) / 1e9, (System.nanoTime() - restarting) / 1e9, sentBefore,
                        producer.sent() - sentBefore, landedAtStop);
                assertThat(landedAtStop).as("the outage came mid-ingest").isLessThan(RECORDS);
                await().atMost(60, SECONDS).untilAsserted(() -> assertThat(Http.get(observe + "/health/ready").statusCode()).isEqualTo(200));

                List<String> ids = producer.awaitAcknowledged(Duration.ofSeconds(120));
                LakeAudit.catchUpStopAndAudit(service, broker, FEED, TOPIC, PARTITIONS, ids, Duration.ofSeconds(90));
            }
        }
    }
}
