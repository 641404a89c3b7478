package org.cameldatalake.runtime;

import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.kafka.common.TopicPartition;
import org.cameldatalake.feed.FeedDefinition;
import org.cameldatalake.kafka.KafkaProbe;
import org.cameldatalake.ksqldb.KsqlDbExports;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.SnapshotWriter;

/**
 * One export pass for one feed (the {@code export} command): a table feed takes one snapshot through the
 * {@code ksqldb-snapshot} (or {@code sql-snapshot}) route; a ksqlDB stream feed polls once; a Kafka stream feed runs its route until it has
 * read up to the end offsets seen at start, then stops (publishing and committing what it holds).
 */
final class FeedExports {
    private final FeedRouteManager routes;
    private final CamelContext ctx;
    private final FeedWriters writers;
    private final KafkaProbe kafkaProbe;

    FeedExports(FeedRouteManager routes, CamelContext ctx, FeedWriters writers, KafkaProbe kafkaProbe) {
        this.routes = routes;
        this.ctx = ctx;
        this.writers = writers;
        this.kafkaProbe = kafkaProbe;
    }

    String exportOnce(FeedDefinition feed, ExportProgress progress) throws Exception {
        if (!feed.isKafkaStream()) {
            writers.refuseIfWrittenElsewhere(feed); // the scheduled work's job: the caller leads it (a cluster) or checks
        }
        if (feed.isJdbc()) {
            if (feed.isJdbcTable()) {
                writers.openSnapshotWriter(feed);
            } else {
                writers.openStreamWriter(feed, null);
            }
            try (org.apache.camel.ProducerTemplate template = ctx.createProducerTemplate()) {
                Object answer = template.requestBodyAndHeader("direct:jdbc-export", null, KsqlDbExports.FEED_HEADER, feed.name());
                return answer instanceof SnapshotWriter.Snapshot s
                        ? "version v" + s.version() + " (" + s.records() + " rows) in " + s.path() : String.valueOf(answer);
            }
        }
        if (feed.isKsqldbTable() || feed.isSqlTable()) {
            SnapshotWriter snapshots = writers.openSnapshotWriter(feed);
            progress.track(snapshots::rowsStreamed, ExportProgress.UNKNOWN);
            try (org.apache.camel.ProducerTemplate template = ctx.createProducerTemplate()) {
                SnapshotWriter.Snapshot s = template.requestBodyAndHeader(feed.isSqlTable() ? "direct:sql-snapshot"
                        : "direct:ksqldb-snapshot", null, KsqlDbExports.FEED_HEADER, feed.name(), SnapshotWriter.Snapshot.class);
                return "version v" + s.version() + " (" + s.records() + " rows) in " + s.path();
            }
        }
        if (feed.isKsqldbStream()) {
            AppendWriter polled = writers.openStreamWriter(feed, null);
            long before = polled.counters().recordsWritten();
            progress.track(() -> polled.counters().recordsWritten() - before, ExportProgress.UNKNOWN);
            try (org.apache.camel.ProducerTemplate template = ctx.createProducerTemplate()) {
                return template.requestBodyAndHeader("direct:ksqldb-stream-poll", null, KsqlDbExports.FEED_HEADER,
                        feed.name(), String.class);
            }
        }
        if (!feed.isKafkaStream()) {
            throw new IllegalStateException(feed.type().json() + " feeds with source " + feed.source().json()
                    + " are not available in this version");
        }
        Map<TopicPartition, Long> end = kafkaEndOffsets(feed);
        refuseBesideRunningConsumers(feed, 0);
        Map<TopicPartition, Long> committed = kafkaProbe.committed(feed.consumerGroup(), feed.kafkaTopic(), EXPORT_KAFKA_TIMEOUT);
        Map<TopicPartition, Long> todo = new java.util.HashMap<>();
        end.forEach((tp, e) -> {
            if (e > committed.getOrDefault(tp, 0L)) {
                todo.put(tp, e);
            }
        });
        if (todo.isEmpty()) {
            return "nothing new on " + feed.kafkaTopic();
        }
        FeedRouteManager.FeedStatus started = routes.start(feed);
        if (started.state() != FeedRouteManager.State.RUNNING) {
            throw new IllegalStateException(started.detail());
        }
        AppendWriter writer = writers.running(feed.name());
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : todo.entrySet()) {
            total += e.getValue() - committed.getOrDefault(e.getKey(), 0L);
        }
        progress.track(() -> {
            long done = 0;
            Map<TopicPartition, Long> seen = writer.highestOffsetsSeen();
            for (Map.Entry<TopicPartition, Long> e : todo.entrySet()) {
                long from = committed.getOrDefault(e.getKey(), 0L);
                done += Math.max(0, Math.min(seen.getOrDefault(e.getKey(), from - 1) + 1, e.getValue()) - from);
            }
            return done;
        }, total);
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(30).toNanos();
        long lastMembersCheck = System.nanoTime();
        while (!todo.entrySet().stream().allMatch(e -> writer.highestOffsetsSeen().getOrDefault(e.getKey(), -1L) >= e.getValue() - 1)) {
            if (System.nanoTime() > deadline) {
                routes.stop(feed.name());
                throw new IllegalStateException("did not reach the end offsets " + todo + " within 30 minutes");
            }
            Thread.sleep(100);
            if (System.nanoTime() - lastMembersCheck > MEMBERS_CHECK_INTERVAL) {
                lastMembersCheck = System.nanoTime();
                try {
                    refuseBesideRunningConsumers(feed, 1);
                } catch (IllegalStateException e) {
                    routes.stop(feed.name());
                    throw e;
                }
            }
        }
        routes.stop(feed.name()); // the consumer publishes what is open and commits before it lets go of its partitions
        return writer.counters().recordsWritten() + " records landed, " + writer.counters().recordsRejected() + " rejected, "
                + writer.counters().recordsSkipped() + " already in the lake, " + writer.counters().filesPublished() + " files, up to "
                + end + " on " + feed.kafkaTopic();
    }

    private static final java.time.Duration EXPORT_KAFKA_TIMEOUT = java.time.Duration.ofSeconds(15);
    private static final long MEMBERS_CHECK_INTERVAL = java.time.Duration.ofSeconds(2).toNanos();

    /**
     * A running service consumes the feed in the same consumer group: an export would share its partitions with it and
     * wait for the ends of partitions it does not get. Beyond {@code ours} members (this export's own), it stops at once.
     */
    private void refuseBesideRunningConsumers(FeedDefinition feed, int ours) throws Exception {
        java.util.List<String> members = kafkaProbe.members(feed.consumerGroup(), EXPORT_KAFKA_TIMEOUT);
        if (members.size() > ours) {
            throw new IllegalStateException("feed " + feed.name() + " is being consumed by a running service: its consumer group "
                    + feed.consumerGroup() + " has " + (members.size() - ours) + " other member(s) " + members
                    + "; its records land there (stop the service, or its feed, to export from here)");
        }
    }

    private Map<TopicPartition, Long> kafkaEndOffsets(FeedDefinition feed) throws Exception {
        try {
            return kafkaProbe.endOffsets(feed.kafkaTopic(), EXPORT_KAFKA_TIMEOUT);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new IllegalStateException("Kafka topic " + feed.kafkaTopic() + " does not exist on " + kafkaProbe.brokers());
            }
            throw new IllegalStateException("Kafka is unreachable at " + kafkaProbe.brokers() + ": " + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka is unreachable at " + kafkaProbe.brokers() + " (no answer within " + EXPORT_KAFKA_TIMEOUT.toSeconds() + " s)");
        }
    }
}
