package org.cameldatalake.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.cameldatalake.sink.AppendWriter;
import org.cameldatalake.sink.AppendWriters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of the {@code kafka-stream-feed} template: decodes a poll's records ({@link KafkaBatch}) and hands them to
 * the feed's append writer through the {@link AppendPipeline}, which commits what the previous write published before
 * it starts this one. It runs on the feed's Kafka consumer thread.
 * <p>
 * A batch that fails (the lake's disk is full or unwritable…) is never retried as it is: the writer has discarded
 * every unpublished record, also those of earlier batches, so the consumer reads again from the last commit. Before
 * that the consumer thread waits here, longer after each failure in a row, so that a fault that lasts does not turn
 * into a hot loop of re-reads flooding the log.
 */
public final class KafkaBatchLander {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchLander.class);
    private final AppendWriters writers;
    private final AppendPipeline pipeline;
    private final Duration retryBackoff;
    private final Duration maxRetryBackoff;
    private final Map<String, Streak> failing = new ConcurrentHashMap<>();

    /** Failures in a row of a feed, and how many files its writer had published at the last one. */
    private record Streak(int failures, long filesPublished) {
    }

    /** {@code retryBackoff} doubles after each failed batch in a row up to {@code maxRetryBackoff}. */
    public KafkaBatchLander(AppendWriters writers, AppendPipeline pipeline, Duration retryBackoff, Duration maxRetryBackoff) {
        this.writers = writers;
        this.pipeline = pipeline;
        this.retryBackoff = retryBackoff;
        this.maxRetryBackoff = maxRetryBackoff;
    }

    public void land(Exchange exchange) throws Exception {
        KafkaBatch batch = exchange.getMessage().getBody(KafkaBatch.class);
        String feed = batch.feed();
        AppendWriter writer = writers.byFeed(feed);
        if (writer == null) {
            throw new IllegalStateException("no append writer for feed " + feed);
        }
        try {
            // decoded here, on the consumer thread, while the previous batch may still be being written; a failure
            // thrown here is the previous batch's. Once it is written, what it published is committed; what this
            // batch publishes is committed before the next one is written, or at the next poll.
            pipeline.submit(writer, writer.decode(batch.records()), batch.commitPublished());
        } catch (Exception e) {
            backOff(exchange, feed, writer);
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
