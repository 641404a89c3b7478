package org.cameldatalake.demo.ksqldb;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads JSON topics from their beginning, on a thread of its own, and hands each record's value and timestamp to the
 * topic's handler, as ksqlDB's persistent queries read their source topics. A record whose value is not JSON or does
 * not fit is skipped and counted, as ksqlDB skips it (and logs it in its processing log).
 */
final class TopicFollower implements AutoCloseable {

    /** What becomes of a record's value. */
    interface Handler {
        void accept(long timestamp, JsonNode value);
    }

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, String> consumer;
    private final Map<String, Handler> handlers;
    private final Thread thread;
    /** Guards the catch-up bookkeeping below. */
    private final Object progress = new Object();
    private long catchUpsRequested;
    private long catchUpsDone;
    private long skipped;
    private volatile boolean running = true;

    /** Starts following every partition of each topic of {@code handlers} (they must exist) from its beginning. */
    static TopicFollower start(String bootstrapServers, Map<String, Handler> handlers, String threadName) {
        TopicFollower follower = new TopicFollower(bootstrapServers, handlers, threadName);
        follower.thread.start();
        return follower;
    }

    private TopicFollower(String bootstrapServers, Map<String, Handler> handlers, String threadName) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p);
        this.handlers = Map.copyOf(handlers);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : handlers.keySet()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Waits until every record that was in the topics when this was called has been handed over; false if that took
     * longer than {@code timeout}.
     */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            long ticket = ++catchUpsRequested;
            while (catchUpsDone < ticket) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    return false;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Records skipped so far: values that are not JSON objects or do not fit the columns. */
    long skipped() {
        synchronized (progress) {
            return skipped;
        }
    }

    private void run() {
        Map<TopicPartition, Long> target = null;
        long targetTicket = 0;
        try {
            while (running) {
                long requested;
                synchronized (progress) {
                    requested = catchUpsRequested;
                }
                if (requested > targetTicket) {
                    // the end offsets now hold every record written before the request
                    target = consumer.endOffsets(consumer.assignment());
                    targetTicket = requested;
                }
                long skippedNow = 0;
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    skippedNow += hand(record) ? 0 : 1;
                }
                boolean caughtUp = target != null && target.entrySet().stream()
                        .allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
                synchronized (progress) {
                    skipped += skippedNow;
                    if (caughtUp && targetTicket > catchUpsDone) {
                        catchUpsDone = targetTicket;
                        progress.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("{} stopped following {}: {}", thread.getName(), handlers.keySet(), e.toString(), e);
        } finally {
            running = false;
            consumer.close();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private boolean hand(ConsumerRecord<String, String> record) {
        try {
            JsonNode value = record.value() == null ? null : Json.MAPPER.readTree(record.value());
            handlers.get(record.topic()).accept(record.timestamp(), value);
            return true;
        } catch (IllegalArgumentException | java.io.IOException e) {
            LOG.debug("{}: record {}-{}@{} skipped: {}", thread.getName(), record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
