package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * The floor under (c): (a)'s and (b)'s loops chained in a fresh JVM launched like the service (-Xmx256m), one thread
 * consuming and parsing while another converts and writes, nothing else — no Camel, no offsets committed, no
 * metadata, no checks. The benchmark times it from launch to exit, as (c): whatever (c) cannot beat on this machine
 * (JVM start, JIT, GC at 256 MB sharing two cores) shows here.
 * {@code java BareJvmPipeline brokers topic records lakeDir}
 */
public final class BareJvmPipeline {
    private static final List<JsonNode> END = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String brokers = args[0];
        String topic = args[1];
        // one thread failing (out of memory, say) would leave the other waiting for it forever
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            System.out.println("thread " + thread.getName() + " failed: " + e);
            Runtime.getRuntime().halt(2);
        });
        int n = Integer.parseInt(args[2]);
        Path lake = Path.of(args[3]);
        BlockingQueue<List<JsonNode>> batches = new ArrayBlockingQueue<>(1);
        BlockingQueue<List<Long>> times = new ArrayBlockingQueue<>(1);
        Thread writer = new Thread(() -> {
            try {
                write(batches, times, lake);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "writer");
        writer.start();
        ObjectMapper json = new ObjectMapper();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = RawMeasures.consumer(brokers, topic, 2, 500)) {
            while (seen < n) {
                List<JsonNode> batch = new ArrayList<>();
                List<Long> ts = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    batch.add(json.readTree(r.value()));
                    ts.add(r.timestamp());
                    seen++;
                }
                if (!batch.isEmpty()) {
                    batches.put(batch);
                    times.put(ts);
                }
            }
        }
        batches.put(END);
        times.put(List.of());
        writer.join();
        System.out.printf(java.util.Locale.ROOT, "cpu=%.2f%n", RawMeasures.processCpuSeconds());
    }

    private static void write(BlockingQueue<List<JsonNode>> batches, BlockingQueue<List<Long>> times, Path lake) throws Exception {
        DayFiles files = null;
        while (true) {
            List<JsonNode> batch = batches.take();
            List<Long> ts = times.take();
            if (batch == END) {
                break;
            }
            if (files == null) {
                files = new DayFiles(lake, JsonAvro.schemaOf(batch.subList(0, Math.min(1000, batch.size()))));
            }
            for (int i = 0; i < batch.size(); i++) {
                files.write(batch.get(i), ts.get(i));
            }
        }
        if (files != null) {
            files.close();
        }
    }
}
