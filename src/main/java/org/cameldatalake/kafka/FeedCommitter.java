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
 * between two writes, before each poll (files the idle timer published) and when partitions are revoked. Each commit
 * renews the consumer's {@link GroupLease}; when nothing was published for a while, the offsets already committed are
 * committed again, only to renew it.
 */
public final class FeedCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(FeedCommitter.class);
    private final AppendWriter writer;
    private final GroupLease lease;
    /** The offset the group holds for each owned partition (or where this consumer began reading it). */
    private final Map<TopicPartition, Long> held = new HashMap<>();

    FeedCommitter(AppendWriter writer, GroupLease lease) {
        this.writer = writer;
        this.lease = lease;
    }

    /** Commits what the writer has published for the partitions the consumer owns. */
    public void commitPublished(Consumer<?, ?> consumer) {
        commit(consumer, writer.committable(consumer.assignment()));
    }

    /** Partitions are being revoked: their open files are published and committed while the consumer still owns them. */
    public void commitRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        renewIfDue(consumer);
        commit(consumer, writer.publishRevoked(revoked));
        released(revoked);
    }

    void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, o) -> {
            if (o != null) {
                held.put(tp, o.offset());
            }
        });
        lease.assigned(partitions);
    }

    /** Where a partition's reading began, for one that the group holds no offset of yet. */
    void started(TopicPartition tp, long offset) {
        held.putIfAbsent(tp, offset);
    }

    void released(Collection<TopicPartition> partitions) {
        lease.released(partitions);
        partitions.forEach(held::remove);
    }

    /** Commits the held offsets again when the lease is due, so that it does not lapse while nothing is published. */
    void renewIfDue(Consumer<?, ?> consumer) {
        if (lease.renewalDue() && !held.isEmpty()) {
            send(consumer, new HashMap<>(held));
        }
    }

    private void commit(Consumer<?, ?> consumer, Map<TopicPartition, Long> offsets) {
        if (!offsets.isEmpty() && send(consumer, offsets)) {
            writer.committed(offsets);
        }
    }

    private boolean send(Consumer<?, ?> consumer, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
        long sent = System.nanoTime();
        try {
            consumer.commitSync(commit);
            lease.confirmed(sent);
            held.putAll(offsets);
            return true;
        } catch (RuntimeException e) {
            lease.lapse();
            // the files are published, so a later commit or a replay (which skips them) makes up for it
            LOG.warn("feed {}: offset commit failed, will retry with the next batch: {}", writer.feed().name(), e.toString());
            return false;
        }
    }
}
