package org.cameldatalake.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.sink.AppendWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a stream feed's Kafka offsets are committed (DESIGN.md §4.2): only offsets of records the lake holds,
 * as its {@link AppendWriter} says, at three moments, all on the feed's consumer thread ({@link LakeKafkaConsumer}):
 * between two writes, before each poll (files the idle timer published) and when partitions are revoked.
 */
public final class FeedCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(FeedCommitter.class);
    private final AppendWriter writer;

    public FeedCommitter(AppendWriter writer) {
        this.writer = writer;
    }

    /** Commits what the writer has published for the partitions the consumer owns. */
    public void commitPublished(Consumer<?, ?> consumer) {
        commit(consumer, writer.committable(consumer.assignment()));
    }

    /** Partitions are being revoked: their open files are published and committed while the consumer still owns them. */
    public void commitRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        commit(consumer, writer.publishRevoked(revoked));
    }

    private void commit(Consumer<?, ?> consumer, Map<TopicPartition, Long> offsets) {
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
