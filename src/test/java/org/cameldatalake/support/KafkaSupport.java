package org.cameldatalake.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cameldatalake.demo.EmbeddedKafka;

/** One real in-process Kafka broker (KRaft) shared by the tests of a JVM run. */
public final class KafkaSupport {
    private static EmbeddedKafka kafka;

    private KafkaSupport() {
    }

    public static synchronized EmbeddedKafka broker() throws Exception {
        if (kafka == null) {
            Path dir = Files.createTempDirectory("kafka-test");
            kafka = EmbeddedKafka.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        }
        return kafka;
    }

    public static KafkaProducer<String, byte[]> producer() throws Exception {
        return producer(broker().bootstrapServers());
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    /** Sends and waits for every record to be acknowledged; a record the broker refused fails the test. */
    public static void send(List<ProducerRecord<String, byte[]>> records) throws Exception {
        send(broker().bootstrapServers(), records);
    }

    /** As {@link #send(List)}, to another broker (tests that stop their own). */
    public static void send(String bootstrapServers, List<ProducerRecord<String, byte[]>> records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrapServers)) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new java.util.ArrayList<>();
            for (ProducerRecord<String, byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (var ack : acks) {
                ack.get();
            }
        }
    }

    /** Records whose keys are raw bytes (ksqlDB changelog keys: JSON, KAFKA, windowed); a null value is a tombstone. */
    public static void sendKeyBytes(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new java.util.ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (var ack : acks) {
                ack.get();
            }
        }
    }

    /** {@code n} seed-004 transactions over {@code days} event days from {@code firstDay}, keyed by user. */
    public static void sendTransactions(String topic, long seed, int n, java.time.LocalDate firstDay, int days) throws Exception {
        send(broker().bootstrapServers(), transactions(topic, seed, n, firstDay, days));
    }

    public static List<ProducerRecord<String, byte[]>> transactions(String topic, long seed, int n, java.time.LocalDate firstDay,
                                                                    int days) {
        org.cameldatalake.demo.TransactionGenerator gen = new org.cameldatalake.demo.TransactionGenerator(seed, firstDay, days);
        List<ProducerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            org.cameldatalake.demo.TransactionGenerator.Transaction t = gen.next();
            records.add(new ProducerRecord<>(topic, null, t.eventTimeMillis(), t.userId(),
                    t.json().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return records;
    }

    public static Map<Integer, Long> committed(String group, String topic) throws Exception {
        return committed(broker(), group, topic);
    }

    /** As {@link #committed(String, String)}, on another broker (tests that stop their own). */
    public static Map<Integer, Long> committed(EmbeddedKafka broker, String group, String topic) throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<Integer, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        }
    }

    /** Members the group coordinator counts in a consumer group now. */
    public static int groupMembers(String group) throws Exception {
        try (Admin admin = broker().admin()) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().size();
        }
    }

    public static Map<Integer, Long> endOffsets(String topic, int partitions) throws Exception {
        return endOffsets(broker(), topic, partitions);
    }

    public static Map<Integer, Long> endOffsets(EmbeddedKafka broker, String topic, int partitions) throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                q.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            return admin.listOffsets(q).all().get().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
        }
    }
}
