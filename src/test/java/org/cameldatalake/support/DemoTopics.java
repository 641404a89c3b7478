package org.cameldatalake.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.cameldatalake.demo.DemoProducer;
import org.cameldatalake.demo.TransactionGenerator;

/**
 * The demo's seed-004 topics (what {@link DemoProducer} sends for each transaction) on the test broker, their names
 * prefixed so that test classes sharing the broker do not share topics, with the shipped feed files pointed at them.
 */
public final class DemoTopics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;

    public DemoTopics(String prefix) throws Exception {
        this.prefix = prefix;
        List<String> topics = DemoProducer.TOPICS.stream().map(t -> prefix + t).toList();
        KafkaSupport.broker().createTopics(2, topics);
    }

    /** Sends {@code n} transactions dated over {@code days} days from {@code firstDay}; returns them. */
    public List<TransactionGenerator.Transaction> send(long seed, int n, LocalDate firstDay, int days) throws Exception {
        TransactionGenerator gen = new TransactionGenerator(seed, firstDay, days);
        List<TransactionGenerator.Transaction> sent = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TransactionGenerator.Transaction t = gen.next();
            sent.add(t);
            for (ProducerRecord<String, String> r : DemoProducer.records(t)) {
                records.add(new ProducerRecord<>(prefix + r.topic(), null, r.timestamp(), r.key(),
                        r.value().getBytes(StandardCharsets.UTF_8)));
            }
        }
        KafkaSupport.send(records);
        return sent;
    }

    /** Copies the shipped {@code feeds/active/<feed>.json} into the service's feeds, reading the prefixed topic. */
    public void feed(Service service, String feed) throws Exception {
        feed(service, feed, java.util.Map.of());
    }

    /** As {@link #feed(Service, String)}, with some fields replaced (e.g. a SQL feed's schedule). */
    public void feed(Service service, String feed, java.util.Map<String, String> replaced) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(Files.readString(Path.of("feeds/active", feed + ".json")));
        if (json.has("kafka_topic")) {
            json.put("kafka_topic", prefix + json.get("kafka_topic").asText());
        }
        replaced.forEach(json::put);
        service.feedFile(feed + ".json", json.toPrettyString());
    }
}
