package org.cameldatalake.support;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Table changelog records for the warehouse tests, and what the service did with them. */
public final class Changelogs {
    private Changelogs() {
    }

    /** A changelog record with a text key; a null value is a tombstone. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return record(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    public static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, String value) {
        return new ProducerRecord<>(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until each group has committed its topic (of {@code partitions} partitions) up to the end. */
    public static void awaitCommittedToTheEnd(Map<String, String> groupByTopic, int partitions) {
        await().atMost(60, SECONDS).pollInterval(100, java.util.concurrent.TimeUnit.MILLISECONDS).until(() -> {
            for (var e : groupByTopic.entrySet()) {
                Map<Integer, Long> end = KafkaSupport.endOffsets(e.getKey(), partitions);
                Map<Integer, Long> committed = KafkaSupport.committed(e.getValue(), e.getKey());
                for (var p : end.entrySet()) {
                    if (p.getValue() > 0 && !p.getValue().equals(committed.get(p.getKey()))) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** The lines of the warehouse mirror's rejected-record files under {@code dir} ({@code _rejected/<feed>}). */
    public static List<String> warehouseRejections(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("warehouse_rejected_")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
            return lines;
        }
    }
}
