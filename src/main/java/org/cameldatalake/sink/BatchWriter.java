package org.cameldatalake.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.decode.DecodedRecord;
import org.cameldatalake.decode.JsonValueDecoder;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.quality.QualityRule;
import org.cameldatalake.quality.Violation;

/**
 * Writes a decoded batch of a stream feed into its partitions' files: each partition's records by its own
 * {@link TopicPartitionWriter} under that writer's lock, the partitions in parallel (the caller's thread takes the
 * first), then its rejected records and the limits of each partition. What the feed as a whole decides (the memory
 * budget, failures, counters) stays with its {@link AppendWriter}.
 */
final class BatchWriter {
    /** What a batch did, and the partitions it touched. */
    record Written(int written, int rejected, int skipped, Set<TopicPartitionWriter> partitions) {
    }

    private final String feed;
    private final PartitionWriters partitions;
    private final FilePublisher publisher;
    private final JsonValueDecoder json;
    private final AppendSettings settings;
    private final Clock clock;
    private final Executor partitionThreads;

    BatchWriter(String feed, PartitionWriters partitions, FilePublisher publisher, JsonValueDecoder json,
                AppendSettings settings, Clock clock, Executor partitionThreads) {
        this.feed = feed;
        this.partitions = partitions;
        this.publisher = publisher;
        this.json = json;
        this.settings = settings;
        this.clock = clock;
        this.partitionThreads = partitionThreads;
    }

    /** Throws the first partition's failure once every partition has finished. */
    Written write(List<DecodedRecord> batch, long now, boolean fromKafka, StreamQuality.Batch checks) throws IOException {
        Map<TopicPartitionWriter, List<DecodedRecord>> parts = new LinkedHashMap<>();
        for (DecodedRecord d : batch) {
            parts.computeIfAbsent(partitions.get(new TopicPartition(d.source().topic(), d.source().partition())),
                    p -> new ArrayList<>()).add(d);
        }
        List<CompletableFuture<int[]>> others = new ArrayList<>();
        int[] counts = new int[3]; // written, rejected, skipped as already in the lake
        Throwable failure = null;
        boolean first = true;
        for (Map.Entry<TopicPartitionWriter, List<DecodedRecord>> part : parts.entrySet()) {
            if (!first) {
                others.add(CompletableFuture.supplyAsync(() -> writePart(part.getKey(), part.getValue(), now, fromKafka, checks),
                        partitionThreads));
            }
            first = false;
        }
        try {
            if (!parts.isEmpty()) {
                Map.Entry<TopicPartitionWriter, List<DecodedRecord>> head = parts.entrySet().iterator().next();
                add(counts, writePart(head.getKey(), head.getValue(), now, fromKafka, checks));
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<int[]> f : others) {
            try {
                add(counts, f.join());
            } catch (CompletionException e) {
                failure = failure != null ? failure : e.getCause();
            }
        }
        if (failure instanceof UncheckedIOException u) {
            throw u.getCause();
        } else if (failure instanceof RuntimeException r) {
            throw r;
        } else if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return new Written(counts[0], counts[1], counts[2], parts.keySet());
    }

    /** One partition's part of a batch, under that partition's lock: its records, its rejects, its rotation. */
    private int[] writePart(TopicPartitionWriter p, List<DecodedRecord> records, long now, boolean fromKafka,
                            StreamQuality.Batch checks) {
        int[] counts = new int[3];
        synchronized (p) {
            try {
                for (DecodedRecord d : records) {
                    appendOne(p, d, now, counts, fromKafka, checks);
                }
                publisher.publishRejected(p);
                for (TopicPartitionWriter.OpenFile of : Rotation.expired(p.openFiles(), settings, now)) {
                    p.publish(of);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return counts;
    }

    private static void add(int[] into, int[] counts) {
        for (int i = 0; i < into.length; i++) {
            into[i] += counts[i];
        }
    }

    /**
     * {@code fromKafka}: the record has an offset of its own, so one at or below the last seen is a repeat (within one
     * assignment a partition's offsets only grow: the Kafka lander drops records fetched under an earlier one, which
     * the consumer fetches again from the commit); ksqlDB rows share their ROWTIME with their ties.
     */
    private void appendOne(TopicPartitionWriter p, DecodedRecord d, long now, int[] counts, boolean fromKafka,
                           StreamQuality.Batch checks) throws IOException {
        SourceRecord r = d.source();
        if (!p.see(r.offset(), fromKafka)) {
            counts[2]++;
            return;
        }
        if (d.day() != null && p.holdsData(d.day(), r.offset())) {
            counts[2]++;
            return;
        }
        DecodedRecord ready = !d.isRejected() && fromKafka ? json.resolve(d, p.fileSchema(d.day()), now) : d;
        if (ready.isRejected()) {
            counts[p.reject(RejectedRecords.line(clock.instant(), feed, r, ready.rejection()), r.offset()) ? 1 : 2]++;
            return;
        }
        Violation broken = checks == null ? null : checks.check(ready.record());
        if (broken != null) {
            String line = RejectedRecords.line(clock.instant(), feed, r, broken, ready.record());
            boolean unique = broken.rule().kind() == QualityRule.Kind.UNIQUE;
            counts[p.reject(line, r.offset(), broken.rule().label(), unique) ? 1 : 2]++;
            return;
        }
        p.write(ready.day(), ready.schema(), ready.record(), r.offset(), now, ready.splittable(), settings);
        counts[0]++;
    }
}
