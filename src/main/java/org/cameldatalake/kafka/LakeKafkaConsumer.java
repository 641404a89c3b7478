package org.cameldatalake.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.cameldatalake.decode.SourceRecord;
import org.cameldatalake.sink.AppendWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream feed's Kafka consumer: one thread that polls, hands each poll's records to the route in one exchange, and
 * commits what the feed's writer has published ({@link FeedCommitter}). Between polls it also commits the files the
 * idle-file timer published, and goes back to its committed offsets after a batch failed or an idle file could not be
 * published (the writer dropped every unpublished record: they must come again).
 * <p>
 * Each poll's records are landed before the next poll, and rebalances happen inside a poll, so no record is landed
 * under an assignment that is gone. Before partitions are revoked (a rebalance, or the route stopping) their open
 * files are published and committed while this consumer still owns them; lost partitions only drop theirs.
 */
final class LakeKafkaConsumer extends DefaultConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(LakeKafkaConsumer.class);
    private final LakeKafkaEndpoint endpoint;
    private ExecutorService thread;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    /** The first offset fetched of each partition since it was assigned: where to go back to before a first commit. */
    private final java.util.Map<TopicPartition, Long> firstFetched = new java.util.HashMap<>();

    LakeKafkaConsumer(LakeKafkaEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        thread = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "LakeKafka[" + endpoint.getTopic() + "]");
        thread.submit(this::run);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.shutdown();
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("feed {}: its Kafka consumer did not stop within 60 s", endpoint.getFeed());
            }
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(thread);
        }
        super.doStop();
    }

    private AppendWriter writer() {
        AppendWriter w = endpoint.getComponent().writers().byFeed(endpoint.getFeed());
        if (w == null) {
            throw new IllegalStateException("no append writer for feed " + endpoint.getFeed());
        }
        return w;
    }

    private void run() {
        AppendWriter writer = writer();
        AppendPipeline pipeline = endpoint.getComponent().pipeline();
        GroupLease lease = new GroupLease(Duration.ofMillis(endpoint.kafka().getSessionTimeoutMs()));
        FeedCommitter committer = new FeedCommitter(writer, lease);
        writer.ownedBy(lease);
        long pollTimeout = endpoint.kafka().getPollTimeoutMs();
        try (KafkaConsumer<String, byte[]> c = newConsumer()) {
            consumer = c;
            c.subscribe(List.of(endpoint.getTopic()), new Rebalance(c, writer, pipeline, committer, firstFetched));
            while (running) {
                // while the writer thread writes a batch it holds the writer: the next batch is fetched and decoded
                // meanwhile, and what that write published is committed before the next one starts
                if (!pipeline.writing(writer)) {
                    if (writer.takeRewindRequest() || pipeline.failed(writer)) {
                        rewind(c);
                    } else {
                        committer.commitPublished(c);
                    }
                }
                committer.renewIfDue(c);
                ConsumerRecords<String, byte[]> polled = c.poll(Duration.ofMillis(pollTimeout));
                if (running && !polled.isEmpty()) {
                    land(c, polled, committer);
                }
            }
        } catch (WakeupException stopping) {
            // doStop: the consumer closes below, which publishes and commits what it holds (Rebalance)
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("feed {}: its Kafka consumer stopped: {}", endpoint.getFeed(), e.toString(), e);
            }
        } finally {
            consumer = null;
        }
    }

    private void land(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> polled, FeedCommitter committer) {
        for (TopicPartition tp : polled.partitions()) {
            if (firstFetched.putIfAbsent(tp, polled.records(tp).get(0).offset()) == null) {
                committer.started(tp, firstFetched.get(tp));
            }
        }
        // a partition new to the group holds no offset to renew the lease with until now, and this very batch may
        // publish (a full file, rejected records): the lease is confirmed before it does
        committer.renewIfDue(c);
        List<SourceRecord> records = new ArrayList<>(polled.count());
        for (ConsumerRecord<String, byte[]> r : polled) {
            records.add(new SourceRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        }
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(new KafkaBatch(endpoint.getFeed(), records, () -> committer.commitPublished(c)));
            getProcessor().process(exchange);
            if (exchange.getException() != null) {
                // nothing of it is committed; the writer dropped every unpublished record: read them all again
                rewind(c);
            }
        } catch (Exception e) {
            getExceptionHandler().handleException("landing a batch of feed " + endpoint.getFeed(), exchange, e);
            rewind(c);
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** Goes back to the committed offset of every partition this consumer owns (before any: where it started). */
    private void rewind(KafkaConsumer<String, byte[]> c) {
        c.committed(c.assignment()).forEach((tp, committed) -> {
            Long start = committed != null ? Long.valueOf(committed.offset()) : firstFetched.get(tp);
            if (start != null) {
                c.seek(tp, start);
            }
        });
    }

    /** Runs inside poll (and close) on the consumer's thread. */
    private record Rebalance(KafkaConsumer<String, byte[]> consumer, AppendWriter writer, AppendPipeline pipeline,
                             FeedCommitter committer, java.util.Map<TopicPartition, Long> firstFetched)
            implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            pipeline.awaitWrites(writer);
            committer.commitRevoked(consumer, partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            pipeline.awaitWrites(writer);
            committer.released(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            pipeline.awaitWrites(writer);
            forget(partitions);
            committer.assigned(consumer, partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            writer.reset(partitions);
            partitions.forEach(firstFetched::remove);
        }
    }

    /**
     * The Kafka client loads the classes its settings name (deserializers, assignors) through the thread's context
     * class loader, which under {@code camel run} does not see the project's dependencies: it is given Kafka's own.
     */
    private KafkaConsumer<String, byte[]> newConsumer() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KafkaConsumer.class.getClassLoader());
        try {
            return new KafkaConsumer<>(endpoint.consumerProperties());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
