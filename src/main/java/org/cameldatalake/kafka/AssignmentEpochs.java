package org.cameldatalake.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells the records a feed's consumer fetched under a partition's current assignment from those it fetched before.
 * <p>
 * camel-kafka's batching keeps records across polls, and a rebalance happens inside a poll. When a partition is lost
 * (its session expired: a long pause, a network cut) its open files are dropped and, once it is assigned again, the
 * consumer fetches from the committed offset; but the batch may still hold records fetched before the loss, past
 * that offset. Landed first, they would make the records in between look already seen, and their commit would skip
 * them: lost. So every record is stamped with {@link #now()} when camel-kafka makes its exchange, right after the
 * poll that returned it ({@link EpochStampingCommitFactory}), and a record stamped before its partition was last
 * revoked, lost or assigned ({@link #changedAt}) is stale: the consumer fetches it again.
 */
public final class AssignmentEpochs {
    private final AtomicLong clock = new AtomicLong();
    private final Map<String, Map<TopicPartition, Long>> changedAt = new ConcurrentHashMap<>();

    /** The stamp of a record fetched now. */
    public long now() {
        return clock.get();
    }

    /** Partitions of the group were revoked, lost or assigned (in a rebalance callback, on the consumer's thread). */
    public void changed(String group, Collection<TopicPartition> partitions) {
        long epoch = clock.incrementAndGet();
        Map<TopicPartition, Long> byPartition = changedAt.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        partitions.forEach(tp -> byPartition.put(tp, epoch));
    }

    /**
     * When {@code tp} was last revoked, lost or assigned in the group, 0 if never: a record stamped before that was
     * fetched under an assignment that is gone.
     */
    public long changedAt(String group, TopicPartition tp) {
        Map<TopicPartition, Long> byPartition = changedAt.get(group);
        Long epoch = byPartition == null ? null : byPartition.get(tp);
        return epoch == null ? 0 : epoch;
    }
}
