package org.cameldatalake.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.lake.AppendWriter;
import org.cameldatalake.lake.AppendWriters;
import org.cameldatalake.lake.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of the {@code kafka-stream-feed} template: decodes a Kafka batch and hands it to the feed's append writer
 * (through the {@link AppendPipeline}), then commits, for every partition the consumer owns, the offsets the writer
 * says are published. It runs on the Kafka consumer
 * thread (camel-kafka batching), so it may use the consumer directly; committing per partition here avoids the
 * 4.17 batch commit that commits only the last record's partition (research/camel-idioms.md §3.3).
 */
public final class KafkaBatchLander {
    public static final String FEED_PROPERTY = "feedName";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchLander.class);
    private final AppendWriters writers;
    private final AppendPipeline pipeline;

    public KafkaBatchLander(AppendWriters writers, AppendPipeline pipeline) {
        this.writers = writers;
        this.pipeline = pipeline;
    }

    @SuppressWarnings("unchecked")
    public void land(Exchange batch) throws Exception {
        String feed = batch.getProperty(FEED_PROPERTY, String.class);
        AppendWriter writer = writers.byFeed(feed);
        if (writer == null) {
            throw new IllegalStateException("no append writer for feed " + feed);
        }
        List<Exchange> exchanges = batch.getMessage().getBody(List.class);
        List<SourceRecord> records = new ArrayList<>(exchanges.size());
        Consumer<?, ?> consumer = null;
        for (Exchange e : exchanges) {
            Message m = e.getMessage();
            Object key = m.getHeader(KafkaConstants.KEY);
            Long ts = m.getHeader(KafkaConstants.TIMESTAMP, Long.class);
            records.add(new SourceRecord(m.getHeader(KafkaConstants.TOPIC, String.class),
                    m.getHeader(KafkaConstants.PARTITION, Integer.class), m.getHeader(KafkaConstants.OFFSET, Long.class),
                    ts == null ? -1 : ts, key == null ? null : key.toString(), (byte[]) m.getBody()));
            if (consumer == null && m.getHeader(KafkaConstants.MANUAL_COMMIT) instanceof DefaultKafkaManualCommit c) {
                consumer = c.getCamelExchangePayload().consumer;
            }
        }
        if (consumer != null) {
            // records queued before a rebalance may belong to partitions this consumer has just lost
            var owned = consumer.assignment();
            java.util.Set<TopicPartition> inBatch = new java.util.HashSet<>();
            String lastTopic = null;
            int lastPartition = -1;
            for (SourceRecord r : records) { // one lookup per run of a partition, not per record
                if (r.partition() != lastPartition || !r.topic().equals(lastTopic)) {
                    lastTopic = r.topic();
                    lastPartition = r.partition();
                    inBatch.add(new TopicPartition(lastTopic, lastPartition));
                }
            }
            if (!owned.containsAll(inBatch)) {
                records.removeIf(r -> !owned.contains(new TopicPartition(r.topic(), r.partition())));
            }
        }
        // decoded here, on the consumer thread, while the previous batch may still be being written
        pipeline.submit(writer, writer.decode(records));
        if (consumer != null) {
            commit(writer, consumer);
        }
    }

    /** Commits what the writer has published; used after each batch and when partitions are revoked. */
    static void commit(AppendWriter writer, Consumer<?, ?> consumer) {
        commit(writer, consumer, writer.committable(consumer.assignment()));
    }

    static void commit(AppendWriter writer, Consumer<?, ?> consumer, Map<TopicPartition, Long> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        try {
            consumer.commitSync(commit);
            writer.committed(offsets);
        } catch (RuntimeException e) {
            // the files are published, so a later commit or a replay (which skips them) makes up for it
            LOG.warn("feed {}: offset commit failed, will retry with the next batch: {}", writer.feed().name(), e.toString());
        }
    }
}
