package org.cameldatalake.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * One Kafka admin connection for the readiness check, the consumer-lag metric and {@code export}'s end offsets,
 * opened on first use. Every call
 * is bounded by a timeout: a broker that is down makes a call fail, never hang a scrape or a health request.
 */
public final class KafkaProbe implements AutoCloseable {
    private final String brokers;
    private Admin admin;

    public KafkaProbe(String brokers) {
        this.brokers = brokers;
    }

    public String brokers() {
        return brokers;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            // callers bound each call themselves too (3 s for health and lag)
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
            p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "camel-datalake-probe");
            admin = Admin.create(p);
        }
        return admin;
    }

    /** The cluster id; throws when no broker answers within {@code timeout}. */
    public String clusterId(Duration timeout) throws Exception {
        return admin().describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The end offset of each partition of {@code topic}. */
    public Map<TopicPartition, Long> endOffsets(String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        var partitions = admin().describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> out = new HashMap<>();
        admin().listOffsets(latest).all().get(remaining(deadline), TimeUnit.MILLISECONDS)
                .forEach((tp, o) -> out.put(tp, o.offset()));
        return out;
    }

    /** The members of {@code group} now, as {@code client-id/host}; none when no consumer runs in it. */
    public List<String> members(String group, Duration timeout) throws Exception {
        return admin().describeConsumerGroups(List.of(group)).describedGroups().get(group)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).members().stream()
                .map(m -> m.clientId() + m.host()).sorted().toList();
    }

    /** The offsets {@code group} has committed on {@code topic} (partitions it never committed are absent). */
    public Map<TopicPartition, Long> committed(String group, String topic, Duration timeout) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, o) -> {
                    if (o != null && tp.topic().equals(topic)) {
                        out.put(tp, o.offset());
                    }
                });
        return out;
    }

    /** Records in {@code topic} not yet committed by {@code group}: the sum over partitions of end − committed offset. */
    public long lag(String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> committed = committed(group, topic, timeout);
        long lag = 0;
        for (var e : endOffsets(topic, Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))).entrySet()) {
            lag += Math.max(0, e.getValue() - committed.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    private static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
