package org.cameldatalake.health;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.support.Http;
import org.cameldatalake.support.KafkaSupport;
import org.cameldatalake.support.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management endpoints as Prometheus and Kubernetes use them: per-feed counters move when records land, and
 * readiness checks Kafka (BrokerOutageTest stops the broker: readiness DOWN, then UP again).
 */
class HealthAndMetricsTest {
    @Test
    void prometheusCountersFollowTheLake(@TempDir Path dir) throws Exception {
        try (Service service = new Service(dir)) {
            KafkaSupport.broker().createTopics(2, List.of("METRICS_TX"));
            int port = Http.freePort();
            String base = "http://localhost:" + port + "/observe";
            service.set("datalake.management.port", String.valueOf(port))
                    .set("datalake.append.max-age", "1s");
            service.kafkaFeed("metrics_tx", "METRICS_TX");
            service.start();

            await().atMost(30, SECONDS).untilAsserted(() -> {
                String metrics = Http.get(base + "/metrics").body();
                assertThat(Http.metric(metrics, "datalake_records_landed_total", "metrics_tx")).isEqualTo(0.0);
                assertThat(Http.metric(metrics, "datalake_consumer_lag_records", "metrics_tx")).isEqualTo(0.0);
            });
            HttpResponse<String> ready = Http.get(base + "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(Http.check(ready.body(), "kafka").path("status").asText()).isEqualTo("UP");

            List<ProducerRecord<String, byte[]>> records = new ArrayList<>(
                    KafkaSupport.transactions("METRICS_TX", 7, 300, LocalDate.of(2025, 3, 1), 2));
            for (int i = 0; i < 4; i++) {
                records.add(new ProducerRecord<>("METRICS_TX", "bad", ("{not json " + i).getBytes(StandardCharsets.UTF_8)));
            }
            KafkaSupport.send(records);

            await().atMost(60, SECONDS).pollInterval(500, java.util.concurrent.TimeUnit.MILLISECONDS).untilAsserted(() -> {
                String metrics = Http.get(base + "/metrics").body();
                assertThat(Http.metric(metrics, "datalake_records_landed_total", "metrics_tx")).isEqualTo(300.0);
                assertThat(Http.metric(metrics, "datalake_records_rejected_total", "metrics_tx")).isEqualTo(4.0);
                assertThat(Http.metric(metrics, "datalake_consumer_lag_records", "metrics_tx")).isEqualTo(0.0);
            });
            String metrics = Http.get(base + "/metrics").body();
            assertThat(service.lake().streamRows("metrics_tx")).isEqualTo(300);
            long parquetFiles;
            try (var files = java.nio.file.Files.walk(service.lakeRoot().resolve("streams/metrics_tx"))) {
                parquetFiles = files.filter(p -> p.toString().endsWith(".parquet")).count();
            }
            assertThat(Http.metric(metrics, "datalake_files_published_total", "metrics_tx")).isEqualTo(parquetFiles);
            long bytes;
            try (var files = java.nio.file.Files.walk(service.lakeRoot().resolve("streams/metrics_tx"))) {
                bytes = files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(Http.metric(metrics, "datalake_written_bytes_total", "metrics_tx")).isEqualTo(bytes);
            assertThat(Http.metric(metrics, "datalake_seconds_since_last_publish", "metrics_tx")).isBetween(0.0, 60.0);
            assertThat(metrics).contains("camel_exchanges_total"); // Camel's own route metrics are there too
        }
    }
}
