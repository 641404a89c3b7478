package org.cameldatalake.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.cameldatalake.decode.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of the {@code kafka-stream-feed} template: decodes a Kafka batch and hands it to the feed's append writer
 * (through the {@link AppendPipeline}), and commits, for every partition the consumer owns, the offsets the writer
 * says are published — between two writes, never while one holds the writer. It runs on the Kafka consumer
 * thread (camel-kafka batching), so it may use the consumer directly; committing per partition here avoids the
 * 4.17 batch commit that commits only the last record's partition (research/camel-idioms.md §3.3).
 * <p>
 * A batch that fails (the lake's disk is full or unwritable…) is never retried as it is: the writer has discarded
 * every unpublished record, also those of earlier batches, so the route fails and camel-kafka (breakOnFirstError)
 * reconnects and reads again from the last commit. Before that the consumer thread waits, longer after each failure
 * in a row, so that a fault that lasts does not turn into a hot loop of re-reads flooding the log.
 */
public final class KafkaBatchLander {
    public static final String FEED_PROPERTY = "feedName";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchLander.class);
    private final AppendWriters writers;
    private final AppendPipeline pipeline;
    private final AssignmentEpochs epochs;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Map<String, Streak> failing = new ConcurrentHashMap<>();

    /** Failures in a row of a feed, and how many files its writer had published at the last one. */
    private record Streak(int failures, long filesPublished) {
    }

    /** {@code retryBackoff} doubles after each failed batch in a row up to {@code maxRetryBackoff}. */
    public KafkaBatchLander(AppendWriters writers, AppendPipeline pipeline, AssignmentEpochs epochs,
                            Duration retryBackoff, Duration maxRetryBackoff) {
        this.writers = writers;
        this.pipeline = pipeline;
        this.epochs = epochs;
        this.retryBackoff = retryBackoff;
        this.maxRetryBackoff = maxRetryBackoff;
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
        String group = null;
        String lastTopic = null;
        int lastPartition = -1;
        long changedAt = 0;
        int stale = 0;
        for (Exchange e : exchanges) {
            Message m = e.getMessage();
            if (consumer == null && m.getHeader(KafkaConstants.MANUAL_COMMIT) instanceof DefaultKafkaManualCommit c) {
                consumer = c.getCamelExchangePayload().consumer;
                group = consumer.groupMetadata().groupId();
            }
            String topic = m.getHeader(KafkaConstants.TOPIC, String.class);
            int partition = m.getHeader(KafkaConstants.PARTITION, Integer.class);
            if (group != null && (partition != lastPartition || !topic.equals(lastTopic))) {
                lastTopic = topic; // one lookup per run of a partition, not per record
                lastPartition = partition;
                changedAt = epochs.changedAt(group, new TopicPartition(topic, partition));
            }
            Long fetched = e.getProperty(EpochStampingCommitFactory.FETCH_EPOCH, Long.class);
            if (fetched != null && fetched < changedAt) {
                stale++; // fetched before its partition was revoked, lost or reassigned: the consumer reads it again
                continue;
            }
            Object key = m.getHeader(KafkaConstants.KEY);
            Long ts = m.getHeader(KafkaConstants.TIMESTAMP, Long.class);
            records.add(new SourceRecord(topic, partition, m.getHeader(KafkaConstants.OFFSET, Long.class),
                    ts == null ? -1 : ts, key == null ? null : key.toString(), (byte[]) m.getBody()));
        }
        if (stale > 0) {
            LOG.info("feed {}: {} record(s) fetched before a rebalance dropped; they are read again from the committed offset",
                    feed, stale);
        }
        Consumer<?, ?> committer = consumer;
        try {
            // decoded here, on the consumer thread, while the previous batch may still be being written; a failure
            // thrown here is the previous batch's. Once it is written, what it published is committed; what this
            // batch publishes is committed before the next one is written, or at the next poll.
            pipeline.submit(writer, writer.decode(records), () -> {
                if (committer != null) {
                    new FeedCommitter(writer).commitPublished(committer);
                }
            });
        } catch (Exception e) {
            backOff(batch, feed, writer);
            throw e;
        }
        // a published file ends the streak; a batch taken into open files does not (publishing them may fail again)
        Streak streak = failing.get(feed);
        if (streak != null && writer.counters().filesPublished() > streak.filesPublished()) {
            failing.remove(feed);
            LOG.info("feed {}: publishing again after {} failed batch(es)", feed, streak.failures());
        }
    }

    /** Waits before the failed batch is read again; a stopping route does not wait. */
    private void backOff(Exchange batch, String feed, AppendWriter writer) {
        int failures = failing.merge(feed, new Streak(1, writer.counters().filesPublished()),
                (before, now) -> new Streak(before.failures() + 1, now.filesPublished())).failures();
        long delay = Math.min(maxRetryBackoff.toMillis(), retryBackoff.toMillis() << Math.min(failures - 1, 20));
        LOG.warn("feed {}: nothing committed; reading again from the last committed offsets in {} ms (failure {} in a row)",
                feed, delay, failures);
        long until = System.nanoTime() + delay * 1_000_000;
        try {
            while (System.nanoTime() < until && isRunning(batch)) {
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isRunning(Exchange batch) {
        ServiceStatus status = batch.getContext().getRouteController().getRouteStatus(batch.getFromRouteId());
        return status == null || status.isStarted();
    }
}
