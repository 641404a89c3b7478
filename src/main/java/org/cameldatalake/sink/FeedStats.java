package org.cameldatalake.sink;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/** What a stream feed's writer has done since it started, read by metrics and commands without its lock. */
public final class FeedStats implements FeedCounters {
    final AtomicLong recordsWritten = new AtomicLong();
    final AtomicLong recordsRejected = new AtomicLong();
    final AtomicLong recordsSkipped = new AtomicLong();
    final AtomicLong filesPublished = new AtomicLong();
    final AtomicLong recordsPublished = new AtomicLong();
    final AtomicLong bytesPublished = new AtomicLong();
    private final Map<String, AtomicLong> qualityRejected = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> highestSeen = new ConcurrentHashMap<>();
    volatile long lastPublishMillis = -1;

    void batch(int written, int rejected, int skipped) {
        recordsWritten.addAndGet(written);
        recordsRejected.addAndGet(rejected);
        recordsSkipped.addAndGet(skipped);
    }

    /** The partitions of a batch that succeeded handed over their records up to their last seen offset. */
    void handedOver(Collection<TopicPartitionWriter> partitions) {
        for (TopicPartitionWriter p : partitions) {
            if (p.lastSeen() >= 0) {
                highestSeen.merge(p.tp, p.lastSeen(), Math::max);
            }
        }
    }

    /** The highest offset handed over per partition (landed, rejected or skipped as landed): {@code export} waits for it. */
    Map<TopicPartition, Long> highestOffsetsSeen() {
        return Map.copyOf(highestSeen);
    }

    void published(long records, long bytes, long atMillis) {
        filesPublished.incrementAndGet();
        recordsPublished.addAndGet(records);
        bytesPublished.addAndGet(bytes);
        lastPublishMillis = atMillis;
    }

    /** Published rejected records: how many each quality rule ({@code min:AMOUNT}) rejected. */
    void qualityRejected(Map<String, Long> byRule) {
        byRule.forEach((rule, n) -> qualityRejected.computeIfAbsent(rule, r -> new AtomicLong()).addAndGet(n));
    }

    @Override
    public Map<String, Long> qualityRejected() {
        Map<String, Long> out = new LinkedHashMap<>();
        qualityRejected.forEach((rule, n) -> out.put(rule, n.get()));
        return out;
    }

    /** Records handed over in batches that succeeded and written into open files. */
    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Records skipped because the lake already held them (a replay). */
    public long recordsSkipped() {
        return recordsSkipped.get();
    }

    @Override
    public long recordsLanded() {
        return recordsPublished.get();
    }

    @Override
    public long recordsRejected() {
        return recordsRejected.get();
    }

    @Override
    public long filesPublished() {
        return filesPublished.get();
    }

    @Override
    public long bytesPublished() {
        return bytesPublished.get();
    }

    @Override
    public long lastPublishMillis() {
        return lastPublishMillis;
    }
}
