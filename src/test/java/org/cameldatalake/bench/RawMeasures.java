package org.cameldatalake.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * (a) and (b) as processes of their own, launched like the service (fresh JVM, -Xmx256m) and timed by the benchmark
 * from launch to exit, so that they pay the JVM start and JIT the service pays:
 * {@code java RawMeasures consume brokers topic partitions records} reads the topic from the beginning with a plain
 * KafkaConsumer and parses every value with Jackson; {@code java RawMeasures write avroFile lakeDir} reads an Avro
 * container file of already converted records (each with its Kafka timestamp, written by the benchmark beforehand) and
 * writes them with parquet-avro, snappy, one file per event day. Each prints its CPU time ({@code cpu=…}) at the end.
 */
public final class RawMeasures {
    static final String TIMESTAMP = "timestamp";
    static final String VALUE = "value";

    private RawMeasures() {
    }

    public static void main(String[] args) throws Exception {
        long records = switch (args[0]) {
            case "consume" -> consume(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
            case "write" -> write(new File(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException("consume or write, not " + args[0]);
        };
        System.out.printf(Locale.ROOT, "records=%d cpu=%.2f%n", records, processCpuSeconds());
    }

    /** A consumer assigned to every partition of {@code topic}, at its beginning, committing nothing. */
    static KafkaConsumer<byte[], byte[]> consumer(String brokers, String topic, int partitions, int maxPollRecords) {
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", String.valueOf(maxPollRecords));
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(i -> new TopicPartition(topic, i)).toList();
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    /** The record the benchmark's Avro file holds: a converted value and its Kafka timestamp. */
    static Schema timedSchema(Schema value) {
        return Schema.createRecord("timed", null, "bench", false, List.of(
                new Schema.Field(TIMESTAMP, Schema.create(Schema.Type.LONG)), new Schema.Field(VALUE, value)));
    }

    /** Reads {@code n} records of the topic from its start, parsing every value with Jackson. */
    static long consume(String brokers, String topic, int partitions, long n) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long seen = 0;
        long fields = 0;
        try (KafkaConsumer<byte[], byte[]> c = consumer(brokers, topic, partitions, 2000)) {
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    fields += json.readTree(r.value()).size();
                    seen++;
                }
            }
        }
        if (fields == 0) {
            throw new IllegalStateException("nothing parsed");
        }
        return seen;
    }

    private static long write(File avro, Path lake) throws Exception {
        long seen = 0;
        try (DataFileReader<GenericRecord> in = new DataFileReader<>(avro, new GenericDatumReader<>())) {
            Schema value = in.getSchema().getField(VALUE).schema();
            try (DayFiles files = new DayFiles(lake, value)) {
                GenericRecord timed = null;
                while (in.hasNext()) {
                    timed = in.next(timed);
                    files.write((GenericRecord) timed.get(VALUE), (Long) timed.get(TIMESTAMP));
                    seen++;
                }
            }
        }
        return seen;
    }

    static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }
}
